// One question of a quiz being edited: kind, prompt, the right answers in the kind's own
// terms (choices, a number, accepted texts, items in order), timing.
import { useI18n } from '../i18n'
import type { QuestionKind } from '../protocol/QuestionKind'
import { Field } from '../ui/Field'
import { AcceptedAnswersEditor } from './AcceptedAnswersEditor'
import { ChoicesEditor } from './ChoicesEditor'
import { ImagePicker } from './ImagePicker'
import { NumericAnswerEditor } from './NumericAnswerEditor'
import { OrderingItemsEditor } from './OrderingItemsEditor'
import { hasChoices, KINDS, withKind, type QuestionDraft } from './quizDraft'

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
  const scored = question.kind !== 'poll' && question.kind !== 'open'

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
      <ImagePicker
        image={question.image}
        kind="question"
        addLabel={t('editor.addImage')}
        removeLabel={t('editor.removeImage')}
        onChange={(image) => onChange({ ...question, image: image ?? undefined })}
      />
      {hasChoices(question.kind) && <ChoicesEditor question={question} index={index} onChange={onChange} />}
      {question.kind === 'numeric' && <NumericAnswerEditor question={question} onChange={onChange} />}
      {question.kind === 'short' && <AcceptedAnswersEditor question={question} onChange={onChange} />}
      {question.kind === 'ordering' && <OrderingItemsEditor question={question} onChange={onChange} />}
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
