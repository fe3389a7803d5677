// The report's questions from the class: each question, who asked it, its votes, and what became
// of it (answered, pinned, hidden, never approved).
import type { QaLine } from '../api-types/QaLine'
import { useI18n, type Translate } from '../i18n'
import { fullName } from '../live/room'

export function QaSection({ questions }: { questions: QaLine[] }) {
  const { t } = useI18n()
  return (
    <section className="report-section" aria-labelledby="qa-title">
      <h2 id="qa-title">{t('report.qa')}</h2>
      {questions.length === 0 ? (
        <p className="muted">{t('report.noQa')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table qa-report">
            <thead>
              <tr>
                <th scope="col">{t('report.qaQuestion')}</th>
                <th scope="col">{t('report.askedBy')}</th>
                <th scope="col" className="num">
                  {t('report.votes')}
                </th>
                <th scope="col">{t('report.qaOutcome')}</th>
              </tr>
            </thead>
            <tbody>
              {questions.map((line) => (
                <tr key={line.question_id}>
                  <td className="qa-report-text">{line.text}</td>
                  <td>{fullName(line)}</td>
                  <td className="num">{line.votes}</td>
                  <td>{outcome(t, line)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

/** What became of a question, in words: "answered, pinned", "not approved"… */
function outcome(t: Translate, line: QaLine): string {
  const said = [
    line.pending && t('report.qaPending'),
    line.answered && t('report.qaAnswered'),
    line.pinned && t('report.qaPinned'),
    line.hidden && t('report.qaHidden'),
  ].filter((word): word is string => Boolean(word))
  return (said.length > 0 ? said : [t('report.qaOpen')]).join(', ')
}
