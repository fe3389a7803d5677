// A short-answer question's accepted answers (at least one). Case, accents and spaces do not
// count when answers are compared, so one spelling per answer is enough.
import { useI18n } from '../i18n'
import { MAX_ACCEPTED, type QuestionDraft } from './quizDraft'

interface AcceptedAnswersEditorProps {
  question: QuestionDraft
  onChange(question: QuestionDraft): void
}

export function AcceptedAnswersEditor({ question, onChange }: AcceptedAnswersEditorProps) {
  const { t } = useI18n()
  const accepted = question.accepted ?? []
  const set = (next: string[]) => onChange({ ...question, accepted: next })
  return (
    <fieldset className="choice-editor">
      <legend>{t('editor.accepted')}</legend>
      <p className="field-hint">{t('editor.acceptedHint')}</p>
      {accepted.map((text, i) => (
        <div key={i} className="choice-row">
          <input
            className="grow"
            value={text}
            maxLength={500}
            onChange={(e) => set(accepted.map((a, j) => (j === i ? e.target.value : a)))}
            aria-label={t('editor.acceptedText', { n: i + 1 })}
          />
          <button
            type="button"
            className="icon-button"
            disabled={accepted.length <= 1}
            onClick={() => set(accepted.filter((_, j) => j !== i))}
            aria-label={t('editor.removeAccepted', { n: i + 1 })}
          >
            ×
          </button>
        </div>
      ))}
      {accepted.length < MAX_ACCEPTED && (
        <button type="button" className="button small" onClick={() => set([...accepted, ''])}>
          + {t('editor.addAccepted')}
        </button>
      )}
    </fieldset>
  )
}
