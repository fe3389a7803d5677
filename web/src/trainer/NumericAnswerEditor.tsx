// A numeric question's right answers: a number give or take a tolerance, or a range.
import { useI18n } from '../i18n'
import { Field } from '../ui/Field'
import { NumberInput } from '../ui/NumberInput'
import { isRange, withRange, type QuestionDraft } from './quizDraft'

interface NumericAnswerEditorProps {
  question: QuestionDraft
  onChange(question: QuestionDraft): void
}

export function NumericAnswerEditor({ question, onChange }: NumericAnswerEditorProps) {
  const { t } = useI18n()
  const range = isRange(question)
  const set = (patch: Partial<QuestionDraft>) => onChange({ ...question, ...patch })
  return (
    <fieldset className="choice-editor numeric-editor">
      <legend>{t('editor.numericRight')}</legend>
      <div className="segmented" role="group" aria-label={t('editor.numericMode')}>
        <button type="button" aria-pressed={!range} onClick={() => range && onChange(withRange(question, false))}>
          {t('editor.numericExact')}
        </button>
        <button type="button" aria-pressed={range} onClick={() => range || onChange(withRange(question, true))}>
          {t('editor.numericRange')}
        </button>
      </div>
      {/* Keyed: each mode's inputs start from its own numbers, not from the other's text. */}
      {range ? (
        <div className="field-row" key="range">
          <Field label={t('editor.min')}>
            <NumberInput value={question.min} onChange={(min) => set({ min })} />
          </Field>
          <Field label={t('editor.max')}>
            <NumberInput value={question.max} onChange={(max) => set({ max })} />
          </Field>
        </div>
      ) : (
        <div className="field-row" key="exact">
          <Field label={t('editor.expectedNumber')}>
            <NumberInput value={question.answer} onChange={(answer) => set({ answer })} />
          </Field>
          <Field label={t('editor.tolerance')} hint={t('editor.toleranceHint')}>
            <NumberInput value={question.tolerance ?? 0} onChange={(tolerance) => set({ tolerance })} />
          </Field>
        </div>
      )}
    </fieldset>
  )
}
