// The report's reactions: how many of each in all, and minute by minute (minutes with some).
import type { Reactions } from '../api-types/Reactions'
import { useI18n } from '../i18n'
import { REACTION_EMOJI, REACTIONS, reactionLabel } from '../live/reactions'

export function ReactionsSection({ reactions }: { reactions: Reactions }) {
  const { t, time } = useI18n()
  const sent = REACTIONS.filter((r) => (reactions.totals[r] ?? 0) > 0)
  return (
    <section className="report-section" aria-labelledby="reactions-title">
      <h2 id="reactions-title">{t('report.reactions')}</h2>
      {sent.length === 0 ? (
        <p className="muted">{t('report.noReactions')}</p>
      ) : (
        <>
          <h3 className="report-subtitle">{t('report.reactionTotals')}</h3>
          <dl className="stats reaction-totals">
            {sent.map((reaction) => (
              <div key={reaction} data-reaction={reaction}>
                <dt>
                  <span aria-hidden="true">{REACTION_EMOJI[reaction]}</span> {t(reactionLabel(reaction))}
                </dt>
                <dd>{reactions.totals[reaction]}</dd>
              </div>
            ))}
          </dl>
          <h3 className="report-subtitle">{t('report.perMinute')}</h3>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('report.minute')}</th>
                  {sent.map((reaction) => (
                    <th key={reaction} scope="col" className="num">
                      {t(reactionLabel(reaction))}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {reactions.minutes.map((m) => (
                  <tr key={m.minute}>
                    <th scope="row">{time(m.minute)}</th>
                    {sent.map((reaction) => (
                      <td key={reaction} className="num">
                        {m.counts[reaction] ?? 0}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  )
}
