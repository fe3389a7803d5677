// `/r/{name}`: join a session, follow it, and come back to the same seat after a reload or a
// network drop (the resume token is kept in localStorage).
import { useEffect, useRef, useState } from 'react'
import { api, found } from '../api'
import { preloadCanvas } from '../canvas'
import { useI18n } from '../i18n'
import { liveErrorText } from '../live/errors'
import { useLiveRoom } from '../live/useLiveRoom'
import { ErrorCode } from '../protocol/ErrorCode'
import { useLoad } from '../ui/useLoad'
import { JoinForm, type Names } from './JoinForm'
import { LiveView } from './LiveView'
import { StatusScreen } from './StatusScreen'
import { tokens } from './tokens'

export default function ParticipantApp({ name: arrivedAt }: { name: string }) {
  const { t } = useI18n()
  /** The room's name on arrival: a rename changes the address bar, not the session. */
  const [name] = useState(arrivedAt)
  const info = useLoad(() => api.joinInfo(name), [name])
  const [names, setNames] = useState<Names | null>(null)
  const [hasToken, setHasToken] = useState(() => tokens.get(name) !== null)
  const [formError, setFormError] = useState<string | null>(null)
  useEffect(preloadCanvas, [])

  if (info.error) {
    return (
      <StatusScreen title={t('join.notFoundTitle')} tone="warning">
        <p>{t('join.notFound')}</p>
      </StatusScreen>
    )
  }
  if (!info.data)
    return (
      <div className="page-loading" role="status">
        {t('common.loading')}
      </div>
    )
  if (!names && !hasToken) {
    return (
      <JoinForm
        info={info.data}
        error={formError}
        onJoin={(given) => {
          setFormError(null)
          setNames(given)
        }}
      />
    )
  }
  return (
    <Session
      name={name}
      names={names}
      onRefused={(message) => {
        tokens.forget(name)
        setHasToken(false)
        setNames(null)
        setFormError(message)
      }}
    />
  )
}

interface SessionProps {
  name: string
  names: Names | null
  /** The join was refused in a way the form can fix (a bad name, a token no longer valid). */
  onRefused(message: string | null): void
}

function Session({ name, names, onRefused }: SessionProps) {
  const { t } = useI18n()
  const room = useRef(name)
  const live = useLiveRoom(
    name,
    () => ({ type: 'join', as: 'participant', resume_token: tokens.get(room.current) ?? undefined, ...names }),
    (current) => found(api.joinInfo(current)),
  )
  const { view, outcome } = live

  useEffect(() => {
    if (view?.resumeToken) tokens.set(room.current, view.resumeToken)
  }, [view?.resumeToken])

  // A renamed room: the link changes, the seat stays.
  useEffect(() => {
    if (!view || view.name === room.current) return
    tokens.move(room.current, view.name)
    room.current = view.name
    window.history.replaceState(null, '', `/r/${encodeURIComponent(view.name)}`)
  }, [view])

  const fixable = outcome?.kind === 'refused' && outcome.code === ErrorCode.bad_message
  useEffect(() => {
    if (fixable) onRefused(names ? t('join.badName') : null)
  }, [fixable, names, onRefused, t])

  useEffect(() => {
    if (outcome?.kind === 'ended' || (outcome?.kind === 'kicked' && outcome.ban)) tokens.forget(room.current)
  }, [outcome])

  if (outcome) {
    switch (outcome.kind) {
      case 'ended':
        return (
          <StatusScreen title={t('live.endedTitle')} tone="done">
            <p>{t('live.ended')}</p>
          </StatusScreen>
        )
      case 'kicked':
        return outcome.ban ? (
          <StatusScreen title={t('live.bannedTitle')} tone="warning">
            <p>{t('live.banned')}</p>
          </StatusScreen>
        ) : (
          <StatusScreen
            title={t('live.kickedTitle')}
            tone="warning"
            action={{ label: t('live.joinAgain'), run: live.restart }}
          >
            <p>{t('live.kicked')}</p>
          </StatusScreen>
        )
      case 'replaced':
        return (
          <StatusScreen title={t('live.replacedTitle')} action={{ label: t('live.useHere'), run: live.restart }}>
            <p>{t('live.replaced')}</p>
          </StatusScreen>
        )
      case 'refused':
        if (fixable) return null
        return (
          <StatusScreen
            title={outcome.code === ErrorCode.room_locked ? t('live.lockedTitle') : t('live.refusedTitle')}
            tone="warning"
            action={outcome.code === ErrorCode.banned ? undefined : { label: t('common.tryAgain'), run: live.restart }}
          >
            <p>{liveErrorText(t, outcome.code, outcome.message)}</p>
          </StatusScreen>
        )
    }
  }
  if (!view) {
    return (
      <StatusScreen title={live.status === 'reconnecting' ? t('live.reconnecting') : t('live.connecting')}>
        <p>{t('live.connectingHint')}</p>
      </StatusScreen>
    )
  }
  return (
    <LiveView
      view={view}
      status={live.status}
      notice={live.notice && liveErrorText(t, live.notice.code, live.notice.message)}
      onDismissNotice={live.dismissNotice}
      send={live.send}
      request={live.request}
      dispatch={live.dispatch}
    />
  )
}
