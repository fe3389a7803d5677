// The answers to an open question as they arrive, for the trainer: a list with names, or a word
// cloud of the answers folded like cloud words (case, accents and spaces), without names, to
// show the class what came up most.
import { useState } from 'react'
import { useI18n } from '../i18n'
import type { CloudWord } from '../protocol/CloudWord'
import { WordCloud } from '../live/WordCloud'

interface OpenAnswer {
  id: string
  name: string
  text: string
}

/** What the server folds cloud words by: case, accents, and runs of spaces. */
export function foldAnswer(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim()
}

/** The answers as cloud words: one per folded text, shown as first written, most given first. */
export function answersAsWords(answers: OpenAnswer[], most = 100): CloudWord[] {
  const words = new Map<string, CloudWord>()
  for (const answer of answers) {
    const key = foldAnswer(answer.text)
    if (!key) continue
    const word = words.get(key)
    if (word) word.count += 1
    else words.set(key, { text: answer.text.trim().replace(/\s+/g, ' '), count: 1 })
  }
  // A stable sort: equal counts keep the order they came in.
  return [...words.values()].sort((a, b) => b.count - a.count).slice(0, most)
}

export function OpenAnswers({ answers }: { answers: OpenAnswer[] }) {
  const { t } = useI18n()
  const [asCloud, setAsCloud] = useState(false)
  if (answers.length === 0) return null
  return (
    <div className="open-answers-panel">
      <button type="button" className="button ghost" aria-pressed={asCloud} onClick={() => setAsCloud(!asCloud)}>
        {t('quiz.answersAsCloud')}
      </button>
      {asCloud ? (
        <WordCloud words={answersAsWords(answers)} label={t('quiz.answersCloud')} counts />
      ) : (
        <ul className="open-answers" aria-label={t('quiz.openAnswers')}>
          {answers.map((a) => (
            <li key={a.id}>
              <strong>{a.name}</strong> {a.text}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
