// Putting items in order on a phone: each item has large up and down buttons (no dragging, so
// it works with a thumb, a keyboard or a screen reader). Focus follows the item moved, and the
// new place is announced.
import { useEffect, useRef, useState } from 'react'
import { useI18n } from '../i18n'
import type { Item } from '../api-types/Item'

interface OrderingAnswerProps {
  items: Item[]
  /** The items' ids in the order chosen so far. */
  order: string[]
  disabled: boolean
  onChange(order: string[]): void
}

export function OrderingAnswer({ items, order, disabled, onChange }: OrderingAnswerProps) {
  const { t } = useI18n()
  const buttons = useRef(new Map<string, HTMLButtonElement>())
  const [moved, setMoved] = useState<{ id: string; direction: 'up' | 'down' } | null>(null)
  const text = (id: string) => items.find((item) => item.id === id)?.text ?? ''

  // Moving the row re-inserts its buttons, which loses focus: give it back to the same item
  // (the other arrow once it reached an end).
  useEffect(() => {
    if (!moved) return
    const index = order.indexOf(moved.id)
    const atEnd = moved.direction === 'up' ? index === 0 : index === order.length - 1
    const direction = atEnd ? (moved.direction === 'up' ? 'down' : 'up') : moved.direction
    buttons.current.get(`${moved.id}-${direction}`)?.focus()
  }, [moved, order])

  const move = (index: number, delta: -1 | 1) => {
    const next = [...order]
    ;[next[index], next[index + delta]] = [next[index + delta], next[index]]
    setMoved({ id: order[index], direction: delta < 0 ? 'up' : 'down' })
    onChange(next)
  }
  const keep = (key: string) => (button: HTMLButtonElement | null) => {
    if (button) buttons.current.set(key, button)
    else buttons.current.delete(key)
  }

  const movedIndex = moved ? order.indexOf(moved.id) : -1
  return (
    <>
      <ol className="ordering" aria-label={t('quiz.yourOrder')}>
        {order.map((id, i) => (
          <li key={id} className="ordering-item">
            <span className="ordering-rank" aria-hidden="true">
              {i + 1}
            </span>
            <span className="ordering-text">{text(id)}</span>
            <span className="ordering-buttons">
              <button
                ref={keep(`${id}-up`)}
                type="button"
                className="order-button"
                disabled={disabled || i === 0}
                onClick={() => move(i, -1)}
                aria-label={t('quiz.moveUp', { item: text(id) })}
              >
                ↑
              </button>
              <button
                ref={keep(`${id}-down`)}
                type="button"
                className="order-button"
                disabled={disabled || i === order.length - 1}
                onClick={() => move(i, 1)}
                aria-label={t('quiz.moveDown', { item: text(id) })}
              >
                ↓
              </button>
            </span>
          </li>
        ))}
      </ol>
      <p className="sr-only" aria-live="polite">
        {moved && movedIndex >= 0
          ? t('quiz.movedTo', { item: text(moved.id), n: movedIndex + 1, count: order.length })
          : ''}
      </p>
    </>
  )
}
