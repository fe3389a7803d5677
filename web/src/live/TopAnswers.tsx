// The answers given most to a numeric, short or open question, ranked, with how many gave each
// (what the server counted as one answer: case, accents and spaces folded).
import { useI18n } from '../i18n'
import type { AnswerCount } from '../protocol/AnswerCount'

export function TopAnswers({ answers, className }: { answers: AnswerCount[]; className?: string }) {
  const { t } = useI18n()
  if (answers.length === 0) return null
  return (
    <section className={className ? `top-answers ${className}` : 'top-answers'} aria-label={t('quiz.topAnswers')}>
      <h3>{t('quiz.topAnswers')}</h3>
      <ol>
        {answers.map((a, i) => (
          <li key={i} className={a.correct ? 'correct' : undefined}>
            <span className="top-answer-text">
              {a.text}
              {a.correct && <span className="sr-only"> ({t('quiz.correctMark')})</span>}
              {a.correct && (
                <span className="top-answer-mark" aria-hidden="true">
                  {' '}
                  ✓
                </span>
              )}
            </span>
            <span className="top-answer-count">{t('quiz.answeredCount', { count: a.count })}</span>
          </li>
        ))}
      </ol>
    </section>
  )
}
