// The end of a quiz on the audience screen: the three best on a podium that rises (still under
// prefers-reduced-motion), then the next seven. It stays until the trainer moves to another page
// or starts another quiz; a reload of the screen does not bring it back once it went.
import { useEffect, useState } from 'react'
import { useI18n } from '../i18n'
import { fullName, type RoomView } from '../live/room'
import type { Standing } from '../protocol/Standing'

export function Podium({ title, standings }: { title: string; standings: Standing[] }) {
  const { t } = useI18n()
  const top = standings.slice(0, 3)
  const rest = standings.slice(3, 10)
  return (
    <section className="audience-podium" aria-labelledby="podium-title">
      <h1 id="podium-title" className="audience-prompt">
        {t('audience.podiumTitle', { title })}
      </h1>
      {top.length === 0 ? (
        <p className="audience-hint">{t('audience.noScores')}</p>
      ) : (
        <ol className="podium" aria-label={t('quiz.leaderboard')}>
          {top.map((s, place) => (
            <li key={s.participant_id} className={`podium-place place-${place + 1}`}>
              <span className="podium-name">{fullName(s)}</span>
              <span className="podium-score">{t('quiz.points', { count: s.score })}</span>
              <span className="podium-block">
                <span className="podium-rank">{s.rank}</span>
              </span>
            </li>
          ))}
        </ol>
      )}
      {rest.length > 0 && (
        <ol className="podium-rest" start={4}>
          {rest.map((s) => (
            <li key={s.participant_id}>
              <span className="rank">{s.rank}</span>
              <span className="name">{fullName(s)}</span>
              <span className="score">{s.score}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}

const dismissedKey = (roomId: string) => `pratico.audience.podiumDone.${roomId}`

/** Whether the ended quiz's podium is on: from its end until the page changes. */
export function usePodium(roomId: string, view: RoomView | null): boolean {
  const ended = view?.quiz?.phase === 'ended' ? view.quiz.id : null
  const pageId = view?.pageId ?? null
  const [dismissed, setDismissed] = useState(() => sessionStorage.getItem(dismissedKey(roomId)))
  const [endedOn, setEndedOn] = useState<{ quiz: string; page: string | null } | null>(null)
  useEffect(() => {
    if (ended && endedOn?.quiz !== ended) setEndedOn({ quiz: ended, page: pageId })
  }, [ended, endedOn, pageId])
  const moved = ended !== null && endedOn?.quiz === ended && endedOn.page !== pageId
  useEffect(() => {
    if (!moved || !ended) return
    sessionStorage.setItem(dismissedKey(roomId), ended)
    setDismissed(ended)
  }, [moved, ended, roomId])
  return ended !== null && !moved && dismissed !== ended
}
