// A question as a participant answers it: choices as large cards (radio or checkbox), or a
// text box for open questions. Also the quiz editor's preview.
import { useState, type FormEvent } from 'react'
import { useI18n } from '../i18n'
import type { Answer } from '../protocol/Answer'
import type { QuestionView } from '../protocol/QuestionView'

interface QuestionCardProps {
  question: QuestionView
  /** Once answered (or closed) the card shows the answer and takes no more. */
  answer: Answer | null
  disabled?: boolean
  onAnswer(answer: Answer): void
}

export const LETTERS = 'ABCDEFGHIJ'

export function QuestionCard({ question, answer, disabled = false, onAnswer }: QuestionCardProps) {
  const { t } = useI18n()
  const given = answer && 'choice_ids' in answer ? answer.choice_ids : []
  const [chosen, setChosen] = useState<string[]>(given)
  const [text, setText] = useState(answer && 'text' in answer ? answer.text : '')
  const locked = disabled || answer !== null
  const multiple = question.kind === 'multiple'

  const toggle = (id: string) =>
    setChosen((current) =>
      multiple ? (current.includes(id) ? current.filter((c) => c !== id) : [...current, id]) : [id],
    )

  const submit = (event: FormEvent) => {
    event.preventDefault()
    onAnswer(question.kind === 'open' ? { text: text.trim() } : { choice_ids: chosen })
  }
  const ready = question.kind === 'open' ? text.trim().length > 0 : chosen.length > 0

  return (
    <form className="question" onSubmit={submit}>
      <fieldset disabled={locked}>
        <legend className="question-prompt">{question.prompt}</legend>
        {multiple && <p className="muted">{t('quiz.severalAnswers')}</p>}
        {question.kind === 'open' ? (
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
            {question.choices.map((choice, i) => (
              <label key={choice.id} className="choice" data-letter={LETTERS[i]}>
                <input
                  type={multiple ? 'checkbox' : 'radio'}
                  name={`q-${question.id}`}
                  checked={chosen.includes(choice.id)}
                  onChange={() => toggle(choice.id)}
                />
                <span className="choice-letter" aria-hidden="true">
                  {LETTERS[i]}
                </span>
                <span className="choice-text">{choice.text}</span>
              </label>
            ))}
          </div>
        )}
      </fieldset>
      {!locked && (
        <button type="submit" className="button primary large" disabled={!ready}>
          {t('quiz.send')}
        </button>
      )}
    </form>
  )
}
