// The answers to one question of a report beyond choices: its right answer, the answers given
// most (numeric, short, open), and for ordering how many put each item in its right place.
import type { QuestionReport } from '../api-types/QuestionReport'
import { useI18n } from '../i18n'
import { solutionText } from '../live/RightAnswer'
import { LazyBarChart } from '../ui/LazyBarChart'

/** Whether a question has anything to show here. */
export function hasDetails(q: QuestionReport): boolean {
  return q.solution !== null || q.top_answers.length > 0
}

export function QuestionDetails({ question: q }: { question: QuestionReport }) {
  const { t, lang } = useI18n()
  const headingId = `question-detail-${q.question_id}`
  const order = q.kind === 'ordering' && q.items ? q.items : null
  return (
    <section className="question-detail" aria-labelledby={headingId}>
      <h5 id={headingId}>
        {q.index + 1}. {q.prompt} <span className="muted small">· {t(`kind.${q.kind}`)}</span>
      </h5>
      {q.solution && (
        <p>
          {t('report.solution')}{' '}
          <strong>{order ? order.map((item) => item.text).join(' → ') : solutionText(q.solution, t, lang)}</strong>
        </p>
      )}
      {order && (
        <LazyBarChart
          title={t('quiz.inRightPlace', { count: q.answered })}
          bars={order.map((item, i) => ({
            label: `${i + 1}. ${item.text}`,
            value: q.distribution.find((d) => d.choice_id === item.id)?.count ?? 0,
            tone: 'good',
          }))}
        />
      )}
      {q.top_answers.length > 0 && (
        <table className="table compact">
          <caption className="sr-only">{t('quiz.topAnswers')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('report.answer')}</th>
              <th scope="col" className="num">
                {t('report.count')}
              </th>
            </tr>
          </thead>
          <tbody>
            {q.top_answers.map((a, i) => (
              <tr key={i} className={a.correct === null ? undefined : a.correct ? 'right' : 'wrong'}>
                <td>
                  {a.text}
                  {a.correct === null ? '' : a.correct ? ' ✓' : ' ✗'}
                </td>
                <td className="num">{a.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
