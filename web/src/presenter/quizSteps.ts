// The steps of a running quiz the trainer can take now, each with its key: the same list makes
// the buttons and the keyboard shortcuts (N next, C close, R reveal, Shift+E end, A answers).
import { useEffect, useRef } from 'react'
import type { MessageKey } from '../i18n'
import { belongsElsewhere } from '../live/keys'
import type { QuizState } from '../live/room'
import type { ClientMessage } from '../protocol/ClientMessage'

export interface QuizStep {
  id: 'first' | 'next' | 'close' | 'reveal' | 'end'
  label: MessageKey
  message: ClientMessage
  /** As `aria-keyshortcuts` writes it. */
  keys: string
  tone: 'primary' | 'plain' | 'ghost'
}

/** Shows or hides the right answers on the presenter's screen. */
export const ANSWERS_KEYS = 'A'

export function quizSteps(quiz: QuizState | null): QuizStep[] {
  if (!quiz || quiz.phase === 'ended') return []
  const { phase } = quiz
  const last = quiz.index !== null && quiz.index + 1 >= quiz.count
  const steps: QuizStep[] = []
  if (phase === 'open')
    steps.push({ id: 'close', label: 'quiz.close', message: { type: 'quiz_close' }, keys: 'C', tone: 'plain' })
  if (phase === 'open' || phase === 'closed')
    steps.push({ id: 'reveal', label: 'quiz.reveal', message: { type: 'quiz_reveal' }, keys: 'R', tone: 'primary' })
  if ((phase === 'idle' || phase === 'revealed' || phase === 'closed') && !last) {
    const first = quiz.index === null
    steps.push({
      id: first ? 'first' : 'next',
      label: first ? 'quiz.first' : 'quiz.next',
      message: { type: 'quiz_next' },
      keys: 'N',
      tone: phase === 'closed' ? 'plain' : 'primary',
    })
  }
  steps.push({
    id: 'end',
    label: 'quiz.end',
    message: { type: 'quiz_end' },
    keys: 'Shift+E',
    tone: last && phase === 'revealed' ? 'primary' : 'ghost',
  })
  return steps
}

/** Whether a key press is this shortcut (`N`, `Shift+E`). */
export function matches(event: KeyboardEvent, keys: string): boolean {
  const shift = keys.startsWith('Shift+')
  const key = shift ? keys.slice(6) : keys
  return event.shiftKey === shift && event.key.toLowerCase() === key.toLowerCase()
}

/** The quiz's keys, page-wide, whichever tab of the sidebar shows. */
export function useQuizShortcuts(steps: QuizStep[], send: (message: ClientMessage) => void, toggleAnswers: () => void) {
  const latest = useRef({ steps, send, toggleAnswers })
  latest.current = { steps, send, toggleAnswers }
  useEffect(() => {
    const pressed = (event: KeyboardEvent) => {
      if (belongsElsewhere(event) || event.repeat) return
      const { steps, send, toggleAnswers } = latest.current
      if (matches(event, ANSWERS_KEYS)) {
        event.preventDefault()
        toggleAnswers()
        return
      }
      const step = steps.find((s) => matches(event, s.keys))
      if (!step) return
      event.preventDefault()
      send(step.message)
    }
    window.addEventListener('keydown', pressed)
    return () => window.removeEventListener('keydown', pressed)
  }, [])
}
