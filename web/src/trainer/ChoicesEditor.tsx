// The choices of a choice question, with the right ones ticked (none for polls).
import { useI18n } from '../i18n'
import { LETTERS } from '../live/QuestionCard'
import { ImagePicker } from './ImagePicker'
import { MAX_CHOICES, type ChoiceDraft, type QuestionDraft } from './quizDraft'

interface ChoicesEditorProps {
  question: QuestionDraft
  index: number
  onChange(question: QuestionDraft): void
}

export function ChoicesEditor({ question, index, onChange }: ChoicesEditorProps) {
  const { t } = useI18n()
  const single = question.kind === 'single' || question.kind === 'true_false'
  const scored = question.kind !== 'poll'
  const setChoice = (i: number, change: Partial<ChoiceDraft>) =>
    onChange({
      ...question,
      choices: question.choices.map((c, j) => {
        if (j === i) return { ...c, ...change }
        return single && change.correct ? { ...c, correct: false } : c
      }),
    })
  return (
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
          <ImagePicker
            image={choice.image}
            kind="choice"
            addLabel={t('editor.addChoiceImage', { letter: LETTERS[i] })}
            removeLabel={t('editor.removeChoiceImage', { letter: LETTERS[i] })}
            shortLabels={{ add: t('editor.image'), remove: t('editor.removeShort') }}
            onChange={(image) => setChoice(i, { image: image ?? undefined })}
          />
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
  )
}
