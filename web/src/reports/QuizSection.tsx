// One quiz in a report: how each question went, and who answered what.
import type { QuizReport } from '../api-types/QuizReport'
import { useI18n } from '../i18n'
import { fullName } from '../live/room'
import { LazyBarChart } from '../ui/LazyBarChart'
import { hasDetails, QuestionDetails } from './QuestionDetails'

export function QuizSection({ quiz }: { quiz: QuizReport }) {
  const { t, lang } = useI18n()
  const seconds = (s: number | null) => (s === null ? '–' : `${s.toLocaleString(lang, { maximumFractionDigits: 1 })} s`)
  const scored = quiz.questions.filter((q) => q.percent_correct !== null)
  const detailed = quiz.questions.filter(hasDetails)
  return (
    <article className="card report-card" aria-labelledby={`quiz-${quiz.quiz_id}`}>
      <h3 id={`quiz-${quiz.quiz_id}`}>{quiz.quiz_title}</h3>
      <p className="muted">
        {quiz.scoring === 'speed' ? t('editor.speed') : t('editor.accuracy')}
        {quiz.rescored && ` · ${t('report.rescored')}`}
      </p>
      {scored.length > 0 && (
        <LazyBarChart
          title={t('report.percentCorrect')}
          unit="%"
          max={100}
          bars={scored.map((q) => ({
            label: `${q.index + 1}. ${q.prompt}`,
            value: Math.round(q.percent_correct ?? 0),
            tone: 'good',
          }))}
        />
      )}
      <div className="table-wrap">
        <table className="table">
          <caption className="sr-only">{t('report.questions')}</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('editor.prompt')}</th>
              <th scope="col" className="num">
                {t('report.answered')}
              </th>
              <th scope="col" className="num">
                {t('report.right')}
              </th>
              <th scope="col" className="num">
                {t('report.medianTime')}
              </th>
            </tr>
          </thead>
          <tbody>
            {quiz.questions.map((q) => (
              <tr key={q.question_id}>
                <td>{q.index + 1}</td>
                <td>
                  {q.prompt}
                  <div className="muted small">
                    {/* Images are named, not shown: the report stands alone, and they may be gone. */}
                    {[
                      t(`kind.${q.kind}`),
                      q.has_image && t('report.withImage'),
                      q.distribution.some((c) => c.has_image) && t('report.choiceImages'),
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </div>
                </td>
                <td className="num">
                  {q.answered} / {q.present}
                </td>
                <td className="num">{q.percent_correct === null ? '–' : `${Math.round(q.percent_correct)} %`}</td>
                <td className="num">{seconds(q.median_response_s)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {detailed.length > 0 && (
        <>
          <h4>{t('report.details')}</h4>
          {detailed.map((q) => (
            <QuestionDetails key={q.question_id} question={q} />
          ))}
        </>
      )}
      <h4>{t('report.perParticipant')}</h4>
      <div className="table-wrap">
        <table className="table matrix">
          <caption className="sr-only">{t('report.perParticipant')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('report.rank')}</th>
              <th scope="col">{t('report.participant')}</th>
              {quiz.questions.map((q) => (
                <th key={q.question_id} scope="col" title={q.prompt}>
                  {t('report.questionShort', { n: q.index + 1 })}
                </th>
              ))}
              <th scope="col" className="num">
                {t('report.score')}
              </th>
            </tr>
          </thead>
          <tbody>
            {quiz.ranking.map((line) => (
              <tr key={line.participant_id}>
                <td>{line.rank}</td>
                <th scope="row">{fullName(line)}</th>
                {quiz.questions.map((q) => {
                  const answer = q.answers.find((a) => a.participant_id === line.participant_id)
                  if (!answer)
                    return (
                      <td key={q.question_id} className="muted">
                        {t('report.noAnswer')}
                      </td>
                    )
                  // An order partly right earns points without being correct.
                  const partly = answer.correct === false && answer.points > 0
                  const mark = answer.correct === null ? '' : answer.correct ? ' ✓' : partly ? ' ◐' : ' ✗'
                  return (
                    <td
                      key={q.question_id}
                      className={partly ? 'partly' : answer.correct === false ? 'wrong' : answer.correct ? 'right' : ''}
                    >
                      {answer.answer_text}
                      {mark}
                      {partly && <span className="sr-only"> ({t('report.partlyRight')})</span>}
                      <div className="muted small">
                        {seconds(answer.response_s)}
                        {answer.correct !== null && ` · ${t('quiz.points', { count: answer.points })}`}
                      </div>
                    </td>
                  )
                })}
                <td className="num">
                  <strong>{line.score}</strong>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </article>
  )
}
