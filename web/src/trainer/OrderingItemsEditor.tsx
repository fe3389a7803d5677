// An ordering question's items, written in the right order (participants get them mixed), and
// whether a partly right order earns part of the points.
import { useI18n } from '../i18n'
import { MAX_ITEMS, MIN_ITEMS, type ItemDraft, type QuestionDraft } from './quizDraft'

interface OrderingItemsEditorProps {
  question: QuestionDraft
  onChange(question: QuestionDraft): void
}

export function OrderingItemsEditor({ question, onChange }: OrderingItemsEditorProps) {
  const { t } = useI18n()
  const items = question.items ?? []
  const set = (next: ItemDraft[]) => onChange({ ...question, items: next })
  const move = (i: number, delta: -1 | 1) => {
    const next = [...items]
    ;[next[i], next[i + delta]] = [next[i + delta], next[i]]
    set(next)
  }
  return (
    <fieldset className="choice-editor">
      <legend>{t('editor.items')}</legend>
      <p className="field-hint">{t('editor.itemsHint')}</p>
      <ol className="item-editor">
        {items.map((item, i) => (
          <li key={i} className="choice-row">
            <span className="choice-letter" aria-hidden="true">
              {i + 1}
            </span>
            <input
              className="grow"
              value={item.text}
              maxLength={500}
              onChange={(e) => set(items.map((it, j) => (j === i ? { ...it, text: e.target.value } : it)))}
              aria-label={t('editor.itemText', { n: i + 1 })}
            />
            <button
              type="button"
              className="icon-button"
              disabled={i === 0}
              onClick={() => move(i, -1)}
              aria-label={t('editor.moveItemUp', { n: i + 1 })}
            >
              ↑
            </button>
            <button
              type="button"
              className="icon-button"
              disabled={i === items.length - 1}
              onClick={() => move(i, 1)}
              aria-label={t('editor.moveItemDown', { n: i + 1 })}
            >
              ↓
            </button>
            <button
              type="button"
              className="icon-button"
              disabled={items.length <= MIN_ITEMS}
              onClick={() => set(items.filter((_, j) => j !== i))}
              aria-label={t('editor.removeItem', { n: i + 1 })}
            >
              ×
            </button>
          </li>
        ))}
      </ol>
      {items.length < MAX_ITEMS && (
        <button type="button" className="button small" onClick={() => set([...items, { text: '' }])}>
          + {t('editor.addItem')}
        </button>
      )}
      <label className="check-row">
        <input
          type="checkbox"
          checked={question.partial_credit ?? false}
          onChange={(e) => onChange({ ...question, partial_credit: e.target.checked })}
        />
        <span>
          {t('editor.partialCredit')}
          <span className="field-hint">{t('editor.partialCreditHint')}</span>
        </span>
      </label>
    </fieldset>
  )
}
