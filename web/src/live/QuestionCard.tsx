// A question as a participant answers it. Single choice, true/false and polls: one tap on a
// choice answers (no Send button). Multiple choice: tick, then Send; open and short answers: a
// text box and Send; numbers: a number box (a decimal comma is fine) and Send; ordering: the
// items moved with up and down buttons, then Send. A selection, a text or an order never sent
// goes by itself just before the time runs out, and one the question closed on first says so:
// nothing entered is silently lost. Also the quiz editor's preview.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react'
import { useI18n } from '../i18n'
import type { Answer } from '../protocol/Answer'
import type { QuestionView } from '../protocol/QuestionView'
import { choiceText } from './choiceText'
import { editableNumber, parseNumber } from './numbers'
import { OrderingAnswer } from './OrderingAnswer'
import { QuizImage } from './QuizImage'

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
  const { t, lang } = useI18n()
  const hintId = useId()
  const kind = question.kind
  const given = answer && 'choice_ids' in answer ? answer.choice_ids : []
  const [chosen, setChosen] = useState<string[]>(given)
  const [text, setText] = useState(() => givenText(answer, lang))
  const itemIds = (question.items ?? []).map((item) => item.id)
  const [order, setOrder] = useState(answer && 'item_ids' in answer ? answer.item_ids : itemIds)
  // The order as received is not an answer the participant gave: it goes by itself only once
  // they moved something (Send still sends it as it is).
  const [reordered, setReordered] = useState(answer !== null)
  const locked = disabled || answer !== null
  const multiple = kind === 'multiple'
  const typed = kind === 'open' || kind === 'short' || kind === 'numeric'
  const oneTap = kind === 'single' || kind === 'true_false' || kind === 'poll'
  const number = kind === 'numeric' ? parseNumber(text) : null

  /** What Send sends now, if anything. */
  const ready: Answer | null =
    kind === 'numeric'
      ? number === null
        ? null
        : { number }
      : typed
        ? text.trim()
          ? { text: text.trim() }
          : null
        : kind === 'ordering'
          ? { item_ids: order }
          : chosen.length > 0
            ? { choice_ids: chosen }
            : null
  /** What the participant entered and has not sent yet: it goes by itself before the deadline. */
  const pending = kind === 'ordering' && !reordered ? null : ready
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
    if (ready) onAnswer(ready, false)
  }
  const hint = oneTap
    ? t('quiz.tapToAnswer')
    : multiple
      ? `${t('quiz.severalAnswers')} ${t('quiz.autoSend')}`
      : kind === 'ordering'
        ? `${t('quiz.orderHint')} ${t('quiz.autoSend')}`
        : kind === 'numeric'
          ? `${t('quiz.numberHint')} ${t('quiz.autoSend')}`
          : t('quiz.autoSend')
  const notANumber = kind === 'numeric' && text.trim() !== '' && number === null

  return (
    <form className="question" onSubmit={submit}>
      <fieldset disabled={locked}>
        <legend className="question-prompt">{question.prompt}</legend>
        <QuizImage src={question.image} kind="question" alt={t('quiz.questionImage')} />
        {!locked && (
          <p className="muted" id={hintId}>
            {hint}
          </p>
        )}
        {kind === 'open' ? (
          <textarea
            className="open-answer"
            value={text}
            maxLength={500}
            rows={3}
            onChange={(e) => setText(e.target.value)}
            aria-label={t('quiz.yourAnswer')}
          />
        ) : typed ? (
          <input
            className="open-answer typed-answer"
            value={text}
            maxLength={kind === 'numeric' ? 40 : 500}
            inputMode={kind === 'numeric' ? 'decimal' : 'text'}
            autoComplete="off"
            autoCorrect="off"
            spellCheck={false}
            onChange={(e) => setText(e.target.value)}
            aria-label={t('quiz.yourAnswer')}
            aria-invalid={notANumber || undefined}
            aria-describedby={locked ? undefined : hintId}
          />
        ) : kind === 'ordering' ? (
          <OrderingAnswer
            items={question.items ?? []}
            order={order}
            disabled={locked}
            onChange={(next) => {
              setOrder(next)
              setReordered(true)
            }}
          />
        ) : (
          // With images, the choices are a grid of equal cells (see `.choices.with-images`).
          <div className={question.choices.some((c) => c.image) ? 'choices with-images' : 'choices'}>
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
                  <ChoiceFace letter={LETTERS[i]} text={choiceText(question, choice, t)} image={choice.image} />
                </button>
              ) : (
                <label key={choice.id} className="choice" data-letter={LETTERS[i]}>
                  <input
                    type="checkbox"
                    name={`q-${question.id}`}
                    checked={chosen.includes(choice.id)}
                    onChange={() => toggle(choice.id)}
                  />
                  <ChoiceFace letter={LETTERS[i]} text={choiceText(question, choice, t)} image={choice.image} />
                </label>
              ),
            )}
          </div>
        )}
        {notANumber && !locked && (
          <p className="field-error" role="status">
            {t('quiz.notANumber')}
          </p>
        )}
      </fieldset>
      {!locked && !oneTap && (
        <button type="submit" className="button primary large" disabled={!ready}>
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

/** The text box's content for an answer already sent (a number in the reader's way). */
function givenText(answer: Answer | null, lang: 'en' | 'fr'): string {
  if (!answer) return ''
  if ('text' in answer) return answer.text
  if ('number' in answer) return editableNumber(answer.number, lang)
  return ''
}

function ChoiceFace({ letter, text, image }: { letter: string; text: string; image?: string }) {
  return (
    <>
      {/* The choice's text names it: the image adds nothing a screen reader could say. */}
      {image && <QuizImage src={image} kind="choice" alt="" />}
      <span className="choice-letter" aria-hidden="true">
        {letter}
      </span>
      <span className="choice-text">{text}</span>
    </>
  )
}
