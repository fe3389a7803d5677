// One question of a quiz being edited: kind, prompt, choices with the correct ones, timing.
import { useI18n } from '../i18n'
import { LETTERS } from '../live/QuestionCard'
import type { QuestionKind } from '../protocol/QuestionKind'
import { Field } from '../ui/Field'
import { KINDS, MAX_CHOICES, withKind, type ChoiceDraft, type QuestionDraft } from './quizDraft'

interface QuestionEditorProps {
  question: QuestionDraft
  index: number
  count: number
  onChange(question: QuestionDraft): void
  onMove(delta: -1 | 1): void
  onRemove(): void
  onPreview(): void
}

export function QuestionEditor({ question, index, count, onChange, onMove, onRemove, onPreview }: QuestionEditorProps) {
  const { t } = useI18n()
  const headingId = `question-${index}`
  const single = question.kind === 'single' || question.kind === 'true_false'
  const scored = question.kind !== 'poll' && question.kind !== 'open'
  const setChoice = (i: number, change: Partial<ChoiceDraft>) =>
    onChange({
      ...question,
      choices: question.choices.map((c, j) => {
        if (j === i) return { ...c, ...change }
        return single && change.correct ? { ...c, correct: false } : c
      }),
    })

  return (
    <article className="card question-editor" aria-labelledby={headingId}>
      <header className="question-editor-head">
        <h3 id={headingId}>{t('editor.question', { n: index + 1 })}</h3>
        <select
          aria-label={t('editor.kind')}
          value={question.kind}
          onChange={(e) => onChange(withKind(question, e.target.value as QuestionKind, t))}
        >
          {KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {t(`kind.${kind}`)}
            </option>
          ))}
        </select>
        <div className="question-editor-tools">
          <button type="button" className="button small" onClick={onPreview}>
            {t('editor.preview')}
          </button>
          <button
            type="button"
            className="icon-button"
            onClick={() => onMove(-1)}
            disabled={index === 0}
            aria-label={t('editor.moveUp')}
          >
            ↑
          </button>
          <button
            type="button"
            className="icon-button"
            onClick={() => onMove(1)}
            disabled={index === count - 1}
            aria-label={t('editor.moveDown')}
          >
            ↓
          </button>
          <button
            type="button"
            className="icon-button danger-text"
            onClick={onRemove}
            aria-label={t('editor.removeQuestion', { n: index + 1 })}
          >
            ×
          </button>
        </div>
      </header>
      <Field label={t('editor.prompt')}>
        <textarea
          value={question.prompt}
          rows={2}
          maxLength={2000}
          onChange={(e) => onChange({ ...question, prompt: e.target.value })}
        />
      </Field>
      {question.kind !== 'open' && (
        <fieldset className="choice-editor">
          <legend>{scored ? t('editor.choicesScored') : t('editor.choices')}</legend>
          {question.choices.map((choice, i) => (
            <div key={i} className="choice-row">
              <span className="choice-letter" aria-hidden="true">
                {LETTERS[i]}
              </span>
              {scored && (
                <input
                  type={single ? 'radio' : 'checkbox'}
                  name={`correct-${index}`}
                  checked={choice.correct}
                  onChange={(e) => setChoice(i, { correct: e.target.checked })}
                  aria-label={t('editor.correctChoice', { letter: LETTERS[i] })}
                />
              )}
              <input
                className="grow"
                value={choice.text}
                maxLength={500}
                readOnly={question.kind === 'true_false'}
                onChange={(e) => setChoice(i, { text: e.target.value })}
                aria-label={t('editor.choiceText', { letter: LETTERS[i] })}
              />
              {question.kind !== 'true_false' && (
                <button
                  type="button"
                  className="icon-button"
                  disabled={question.choices.length <= 2}
                  onClick={() => onChange({ ...question, choices: question.choices.filter((_, j) => j !== i) })}
                  aria-label={t('editor.removeChoice', { letter: LETTERS[i] })}
                >
                  ×
                </button>
              )}
            </div>
          ))}
          {question.kind !== 'true_false' && question.choices.length < MAX_CHOICES && (
            <button
              type="button"
              className="button small"
              onClick={() => onChange({ ...question, choices: [...question.choices, { text: '', correct: false }] })}
            >
              + {t('editor.addChoice')}
            </button>
          )}
        </fieldset>
      )}
      <div className="field-row">
        <Field label={t('editor.timeLimit')}>
          <input
            type="number"
            min={5}
            max={600}
            value={question.time_limit_s}
            onChange={(e) => onChange({ ...question, time_limit_s: Number(e.target.value) })}
          />
        </Field>
        {scored && (
          <Field label={t('editor.points')}>
            <input
              type="number"
              min={0}
              max={10000}
              step={100}
              value={question.points}
              onChange={(e) => onChange({ ...question, points: Number(e.target.value) })}
            />
          </Field>
        )}
      </div>
    </article>
  )
}
