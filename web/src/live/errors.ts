// The live protocol's error codes, in the viewer's language.
import type { Translate } from '../i18n'
import { ErrorCode } from '../protocol/ErrorCode'
import type { LiveError } from './socket'

const KNOWN = [
  ErrorCode.room_locked,
  ErrorCode.room_full,
  ErrorCode.banned,
  ErrorCode.rate_limited,
  ErrorCode.too_large,
  ErrorCode.chat_off,
  ErrorCode.reaction_off,
  ErrorCode.no_cloud,
  ErrorCode.word_limit,
  ErrorCode.qa_off,
  ErrorCode.already_voted,
  ErrorCode.question_closed,
  ErrorCode.already_answered,
  ErrorCode.bad_answer,
  ErrorCode.not_in_quiz,
  ErrorCode.quiz_in_progress,
  ErrorCode.name_taken,
  ErrorCode.forbidden,
  ErrorCode.unavailable,
  'offline',
] as const

type Known = (typeof KNOWN)[number]

export function liveErrorText(t: Translate, code: LiveError['code'], message: string): string {
  return (KNOWN as readonly string[]).includes(code) ? t(`error.${code as Known}`) : message || code
}
