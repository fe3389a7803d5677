// Past and live sessions, newest first: back to a live one, or its report.
import { useState } from 'react'
import { api, type Page } from '../api'
import type { Session } from '../api-types/Session'
import { useI18n } from '../i18n'
import { Link } from '../router'
import { Alert } from '../ui/Alert'
import { useLoad } from '../ui/useLoad'

export function SessionsPage() {
  const { t, dateTime, duration } = useI18n()
  const first = useLoad(() => api.sessions(), [])
  // Older pages, as the trainer asks for them (the server gives 50 at a time).
  const [older, setOlder] = useState<Page<Session> | null>(null)
  const [loadingMore, setLoadingMore] = useState(false)
  const [moreFailed, setMoreFailed] = useState(false)
  const sessions = {
    error: first.error,
    data: first.data && [...first.data.items, ...(older?.items ?? [])],
  }
  const next = older ? older.next : (first.data?.next ?? null)
  async function showOlder(path: string) {
    setLoadingMore(true)
    setMoreFailed(false)
    try {
      const page = await api.sessions(path)
      setOlder((before) => ({ items: [...(before?.items ?? []), ...page.items], next: page.next }))
    } catch {
      setMoreFailed(true)
    } finally {
      setLoadingMore(false)
    }
  }
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t('sessions.title')}</h1>
          <p className="muted">{t('sessions.intro')}</p>
        </div>
      </div>
      {sessions.error && <Alert>{t('error.generic')}</Alert>}
      {sessions.data?.length === 0 && <p className="empty">{t('sessions.empty')}</p>}
      {sessions.data && sessions.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('sessions.date')}</th>
                <th scope="col">{t('sessions.capsule')}</th>
                <th scope="col">{t('sessions.duration')}</th>
                <th scope="col">{t('sessions.participants')}</th>
                <th scope="col">
                  <span className="sr-only">{t('sessions.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.map((s) => (
                <tr key={s.room_id}>
                  <td>{dateTime(s.started_at)}</td>
                  <td>
                    <strong>{s.capsule_title}</strong>
                    <div className="muted small">/r/{s.room_name}</div>
                  </td>
                  <td>
                    {s.live ? (
                      <span className="pill pill-open">{t('sessions.live')}</span>
                    ) : (
                      duration(s.duration_s ?? 0)
                    )}
                  </td>
                  <td>{s.participant_count ?? '–'}</td>
                  <td className="actions">
                    {s.live ? (
                      <Link to={`/live/${s.room_id}`} className="button small primary">
                        {t('sessions.resume')}
                      </Link>
                    ) : (
                      <Link to={`/sessions/${s.room_id}`} className="button small">
                        {t('sessions.report')}
                      </Link>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {moreFailed && <Alert>{t('error.generic')}</Alert>}
      {next && (
        <p className="more">
          <button type="button" className="button" disabled={loadingMore} onClick={() => showOlder(next)}>
            {loadingMore ? t('sessions.loadingOlder') : t('sessions.older')}
          </button>
        </p>
      )}
    </>
  )
}
