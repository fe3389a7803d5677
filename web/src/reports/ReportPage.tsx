// One session's report.
import { api } from '../api'
import { useI18n } from '../i18n'
import { Link } from '../router'
import { Alert } from '../ui/Alert'
import { useLoad } from '../ui/useLoad'

export function ReportPage({ roomId }: { roomId: string }) {
  const { t, dateTime, duration } = useI18n()
  const sessions = useLoad(api.sessions, [roomId])
  const session = sessions.data?.find((s) => s.room_id === roomId)
  if (sessions.data && !session) return <Alert>{t('sessions.notFound')}</Alert>
  if (!session) return <p role="status">{t('common.loading')}</p>
  return (
    <>
      <p className="breadcrumb">
        <Link to="/sessions">← {t('sessions.title')}</Link>
      </p>
      <div className="page-head">
        <div>
          <p className="eyebrow">{dateTime(session.started_at)}</p>
          <h1>{session.capsule_title}</h1>
          <p className="muted">
            {duration(session.duration_s ?? 0)} ·{' '}
            {t('sessions.participantCount', { count: session.participant_count ?? 0 })}
          </p>
        </div>
      </div>
    </>
  )
}
