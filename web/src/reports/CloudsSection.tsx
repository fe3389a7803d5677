// The report's word clouds: each question, who took part, and every word with its count (those
// the trainer hid marked as such).
import type { CloudReport } from '../api-types/CloudReport'
import { useI18n } from '../i18n'

export function CloudsSection({ clouds }: { clouds: CloudReport[] }) {
  const { t } = useI18n()
  return (
    <section className="report-section" aria-labelledby="clouds-title">
      <h2 id="clouds-title">{t('report.clouds')}</h2>
      {clouds.length === 0 && <p className="muted">{t('report.noClouds')}</p>}
      {clouds.map((cloud) => (
        <CloudReportCard key={cloud.cloud_id} cloud={cloud} />
      ))}
    </section>
  )
}

function CloudReportCard({ cloud }: { cloud: CloudReport }) {
  const { t, time } = useI18n()
  const titleId = `cloud-${cloud.cloud_id}`
  return (
    <article className="card report-card cloud-report" aria-labelledby={titleId}>
      <h3 id={titleId}>{cloud.prompt}</h3>
      <p className="muted">{t('report.cloudMeta', { count: cloud.contributors, time: time(cloud.started_at) })}</p>
      {cloud.words.length === 0 ? (
        <p className="muted">{t('report.noWords')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('report.word')}</th>
                <th scope="col" className="num">
                  {t('report.timesSent')}
                </th>
              </tr>
            </thead>
            <tbody>
              {cloud.words.map((word) => (
                <tr key={word.text} className={word.hidden ? 'hidden-word' : undefined}>
                  <td>
                    {word.text}
                    {word.hidden && <span className="muted"> · {t('report.hiddenWord')}</span>}
                  </td>
                  <td className="num">{word.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  )
}
