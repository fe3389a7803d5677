// The live protocol's error codes, in the viewer's language.
import type { Translate } from '../i18n'

const KNOWN = [
  'room_locked',
  'room_full',
  'banned',
  'rate_limited',
  'too_large',
  'chat_off',
  'question_closed',
  'already_answered',
  'bad_answer',
  'not_in_quiz',
  'quiz_in_progress',
  'name_taken',
  'forbidden',
  'unavailable',
  'offline',
] as const

type Known = (typeof KNOWN)[number]

export function liveErrorText(t: Translate, code: string, message: string): string {
  return (KNOWN as readonly string[]).includes(code) ? t(`error.${code as Known}`) : message || code
}
