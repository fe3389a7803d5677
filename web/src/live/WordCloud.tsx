// A word cloud: the words most sent first, each sized by how often it was sent (a flex-wrap of
// words, no layout library). With `onToggle` (the trainer) each word is a button that hides it
// from the class or shows it again.
import type { CSSProperties } from 'react'
import { useI18n } from '../i18n'
import type { CloudWord } from '../protocol/CloudWord'

interface WordCloudProps {
  words: CloudWord[]
  label: string
  /** Shows each word's count beside it (the trainer's view), not only to screen readers. */
  counts?: boolean
  onToggle?(word: CloudWord): void
  className?: string
}

/** From 1 (sent once) to 3 (sent most), in ems; a square root, so one loud word leaves room for the rest. */
export function wordScale(count: number, most: number): number {
  if (most <= 1) return 1.6
  return 1 + 2 * Math.sqrt((count - 1) / (most - 1))
}

export function WordCloud({ words, label, counts = false, onToggle, className }: WordCloudProps) {
  const { t } = useI18n()
  const most = Math.max(1, ...words.filter((w) => !w.hidden).map((w) => w.count))
  return (
    <ul className={className ? `word-cloud ${className}` : 'word-cloud'} aria-label={label}>
      {words.map((word, index) => {
        const style = { '--scale': wordScale(Math.min(word.count, most), most) } as CSSProperties
        const tone = `tone-${index % 4}`
        const count = (
          <span className={counts ? 'word-count' : 'sr-only'}>
            {counts ? word.count : ` (${t('cloud.count', { count: word.count })})`}
          </span>
        )
        return (
          <li
            key={word.text}
            className={word.hidden ? `cloud-word hidden ${tone}` : `cloud-word ${tone}`}
            style={style}
          >
            {onToggle ? (
              // Named by what it shows, then what a click does (the visible text starts the name).
              <button type="button" className="cloud-word-button" onClick={() => onToggle(word)}>
                <span className="cloud-word-text">{word.text}</span> {count}
                <span className="sr-only"> ({t(word.hidden ? 'cloud.unhideAction' : 'cloud.hideAction')})</span>
              </button>
            ) : (
              <>
                <span className="cloud-word-text">{word.text}</span>
                {count}
              </>
            )}
          </li>
        )
      })}
    </ul>
  )
}
