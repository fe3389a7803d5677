// A question as a participant answers it. Single choice, true/false and polls: one tap on a
// choice answers (no Send button). Multiple choice: tick, then Send; open questions: a text box
// and Send. A selection or a text never sent goes by itself just before the time runs out, and
// one the question closed on first says so: nothing chosen is silently lost. Also the quiz
// editor's preview.
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { useI18n } from '../i18n'
import type { Answer } from '../protocol/Answer'
import type { QuestionView } from '../protocol/QuestionView'
import { choiceText } from './choiceText'

interface QuestionCardProps {
  question: QuestionView
  /** Once answered (or closed) the card shows the answer and takes no more. */
  answer: Answer | null
  disabled?: boolean
  /** When the question closes, on this browser's clock (none in the editor's preview). */
  deadline?: number | null
  /** `automatic`: sent because the time was running out, not by the participant. */
  onAnswer(answer: Answer, automatic: boolean): void
}

export const LETTERS = 'ABCDEFGHIJ'

/**
 * How long before the deadline a selection never sent goes: the server's clock closes the
 * question, and the answer has to reach it first.
 */
const AUTO_SEND_LEAD_MS = 1_500

export function QuestionCard({ question, answer, disabled = false, deadline = null, onAnswer }: QuestionCardProps) {
  const { t } = useI18n()
  const given = answer && 'choice_ids' in answer ? answer.choice_ids : []
  const [chosen, setChosen] = useState<string[]>(given)
  const [text, setText] = useState(answer && 'text' in answer ? answer.text : '')
  const locked = disabled || answer !== null
  const multiple = question.kind === 'multiple'
  const open = question.kind === 'open'
  const oneTap = !multiple && !open

  /** What the participant has chosen and not sent yet. */
  const pending: Answer | null = open
    ? text.trim()
      ? { text: text.trim() }
      : null
    : chosen.length > 0
      ? { choice_ids: chosen }
      : null
  const latest = useRef({ pending, onAnswer })
  latest.current = { pending, onAnswer }
  useEffect(() => {
    if (locked || oneTap || deadline === null) return
    const timer = window.setTimeout(
      () => {
        const { pending, onAnswer } = latest.current
        if (pending) onAnswer(pending, true)
      },
      Math.max(0, deadline - Date.now() - AUTO_SEND_LEAD_MS),
    )
    return () => window.clearTimeout(timer)
  }, [locked, oneTap, deadline])

  const toggle = (id: string) =>
    setChosen((current) => (current.includes(id) ? current.filter((c) => c !== id) : [...current, id]))
  const tap = (id: string) => {
    setChosen([id])
    onAnswer({ choice_ids: [id] }, false)
  }
  const submit = (event: FormEvent) => {
    event.preventDefault()
    if (pending) onAnswer(pending, false)
  }

  return (
    <form className="question" onSubmit={submit}>
      <fieldset disabled={locked}>
        <legend className="question-prompt">{question.prompt}</legend>
        {!locked && (
          <p className="muted">
            {oneTap
              ? t('quiz.tapToAnswer')
              : multiple
                ? `${t('quiz.severalAnswers')} ${t('quiz.autoSend')}`
                : t('quiz.autoSend')}
          </p>
        )}
        {open ? (
          <textarea
            className="open-answer"
            value={text}
            maxLength={500}
            rows={3}
            onChange={(e) => setText(e.target.value)}
            aria-label={t('quiz.yourAnswer')}
          />
        ) : (
          <div className="choices">
            {question.choices.map((choice, i) =>
              oneTap ? (
                <button
                  key={choice.id}
                  type="button"
                  className="choice"
                  data-letter={LETTERS[i]}
                  aria-pressed={chosen.includes(choice.id)}
                  onClick={() => tap(choice.id)}
                >
                  <ChoiceFace letter={LETTERS[i]} text={choiceText(question, choice, t)} />
                </button>
              ) : (
                <label key={choice.id} className="choice" data-letter={LETTERS[i]}>
                  <input
                    type="checkbox"
                    name={`q-${question.id}`}
                    checked={chosen.includes(choice.id)}
                    onChange={() => toggle(choice.id)}
                  />
                  <ChoiceFace letter={LETTERS[i]} text={choiceText(question, choice, t)} />
                </label>
              ),
            )}
          </div>
        )}
      </fieldset>
      {!locked && !oneTap && (
        <button type="submit" className="button primary large" disabled={!pending}>
          {t('quiz.send')}
        </button>
      )}
      {disabled && answer === null && pending && (
        <p className="quiz-unsent" role="status">
          {t('quiz.notSent')}
        </p>
      )}
    </form>
  )
}

function ChoiceFace({ letter, text }: { letter: string; text: string }) {
  return (
    <>
      <span className="choice-letter" aria-hidden="true">
        {letter}
      </span>
      <span className="choice-text">{text}</span>
    </>
  )
}
