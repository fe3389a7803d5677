// The presenter view: the current page, the page strip, and everything that runs the session.
import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, api } from '../api'
import type { Room } from '../api-types/Room'
import { joinInfoShown, useJoinInfoChoice } from '../audience/joinInfo'
import { LazySharedCanvas } from '../canvas'
import { useI18n } from '../i18n'
import { ChatPanel } from '../live/ChatPanel'
import { liveErrorText } from '../live/errors'
import { ReactionTally } from '../live/ReactionTally'
import { offeredReactions } from '../live/reactions'
import { fullName } from '../live/room'
import { StatusPill } from '../live/StatusPill'
import { useTrainerRoom } from '../live/useTrainerRoom'
import { Link, navigate } from '../router'
import { Alert } from '../ui/Alert'
import { ConfirmDialog } from '../ui/Dialog'
import { Tabs } from '../ui/Tabs'
import { useLoad } from '../ui/useLoad'
import { CloudControls } from './CloudControls'
import { PageStrip } from './PageStrip'
import { ParticipantsPanel } from './ParticipantsPanel'
import { pageNotes, PresenterNotes } from './PresenterNotes'
import { QaControls } from './QaControls'
import { QuizControls } from './QuizControls'
import { quizSteps, useQuizShortcuts } from './quizSteps'
import { SettingsPanel } from './SettingsPanel'
import { SharePanel } from './SharePanel'

export function PresenterPage({ roomId }: { roomId: string }) {
  const { t } = useI18n()
  const room = useLoad(() => api.room(roomId), [roomId])
  if (room.error) {
    return (
      <main className="page narrow" id="main">
        <Alert tone="info">{t('presenter.gone')}</Alert>
        <p>
          <Link to={`/sessions/${roomId}`} className="button primary">
            {t('sessions.report')}
          </Link>
        </p>
      </main>
    )
  }
  if (!room.data)
    return (
      <div className="page-loading" role="status">
        {t('common.loading')}
      </div>
    )
  return <Presenter room={room.data} />
}

function Presenter({ room }: { room: Room }) {
  const { t } = useI18n()
  const live = useTrainerRoom(room)
  const snapshot = useLoad(() => api.roomSnapshot(room.name), [room.id])
  // The speaker notes stay with the capsule (the room's copy, which participants get, has none).
  const capsule = useLoad(() => api.capsule(room.capsule_id), [room.capsule_id])
  const [tab, setTab] = useState('quiz')
  const [ending, setEnding] = useState(false)
  const [drawingOff, setDrawingOff] = useState<ReadonlySet<string>>(new Set())
  const [drawingError, setDrawingError] = useState<string | null>(null)
  const [board, setBoard] = useState<BoardSave>({ kind: 'idle' })
  // Off until asked for: the laptop's screen may be the one on the projector.
  const [showAnswers, setShowAnswers] = useState(false)
  const [joinInfo, setJoinInfo] = useJoinInfoChoice(room.id)
  const { view, send } = live
  const liveName = view?.name ?? room.name
  const steps = quizSteps(view?.quiz ?? null)
  useQuizShortcuts(steps, send, () => setShowAnswers((shown) => !shown))
  const audience = useAudienceWindow(room.id, liveName)

  useEffect(() => {
    let stale = false
    api.drawingOff(liveName).then(
      (off) => !stale && setDrawingOff(new Set(off.participant_ids)),
      () => {},
    )
    return () => {
      stale = true
    }
  }, [liveName])

  const setDrawing = useCallback(
    (participantId: string, allowed: boolean) => {
      setDrawingError(null)
      api.setDrawing(liveName, participantId, allowed).then(
        () =>
          setDrawingOff((off) => {
            const next = new Set(off)
            if (allowed) next.delete(participantId)
            else next.add(participantId)
            return next
          }),
        (e: unknown) => setDrawingError(e instanceof ApiError ? e.message : t('error.generic')),
      )
    },
    [liveName, t],
  )

  const saveBoard = useCallback(() => {
    setBoard({ kind: 'saving' })
    api.saveBoard(liveName).then(
      (capsule) => setBoard({ kind: 'saved', title: capsule.title }),
      (e: unknown) => setBoard({ kind: 'error', message: e instanceof ApiError ? e.message : t('error.generic') }),
    )
  }, [liveName, t])

  useEffect(() => {
    if (live.outcome?.kind === 'ended') navigate(`/sessions/${room.id}`, { replace: true })
  }, [live.outcome, room.id])

  const goTo = useCallback((pageId: string) => void send({ type: 'goto_page', page_id: pageId }), [send])

  if (!view) {
    return (
      <div className="page-loading" role="status">
        {live.outcome?.kind === 'refused'
          ? liveErrorText(t, live.outcome.code, live.outcome.message)
          : t('live.connecting')}
      </div>
    )
  }
  const online = view.participants.filter((p) => p.online).length
  const pendingQuestions = view.qa.filter((q) => q.status === 'pending').length
  const pageIndex = view.capsule.pages.findIndex((p) => p.id === view.pageId)
  const page = view.capsule.pages[pageIndex]
  const notes = pageNotes(capsule.data?.snapshot ?? null, view.pageId)
  return (
    <div className="presenter">
      <header className="presenter-bar">
        <Link to="/capsules" className="button ghost" aria-label={t('presenter.leave')}>
          ←
        </Link>
        <div className="presenter-title">
          <h1 title={view.capsule.title}>{view.capsule.title}</h1>
          <span className="muted">/r/{view.name}</span>
        </div>
        <StatusPill status={live.status} />
        {view.locked && <span className="pill pill-locked">{t('settings.locked')}</span>}
        <button type="button" className="button" onClick={audience}>
          {t('audience.open')}
        </button>
        <button type="button" className="button" onClick={() => send({ type: view.locked ? 'unlock' : 'lock' })}>
          {view.locked ? t('presenter.unlock') : t('presenter.lock')}
        </button>
        <button type="button" className="button" onClick={saveBoard} disabled={board.kind === 'saving'}>
          {t('board.save')}
        </button>
        <button type="button" className="button danger" onClick={() => setEnding(true)}>
          {t('presenter.end')}
        </button>
      </header>
      {live.notice && (
        <Alert onDismiss={live.dismissNotice}>{liveErrorText(t, live.notice.code, live.notice.message)}</Alert>
      )}
      <BoardFeedback board={board} onDismiss={() => setBoard({ kind: 'idle' })} />
      {drawingError && (
        <Alert onDismiss={() => setDrawingError(null)}>{t('people.drawingError', { message: drawingError })}</Alert>
      )}
      <div className="presenter-body">
        <main className="stage" id="main" tabIndex={-1}>
          <LazySharedCanvas
            room={view.name}
            token={null}
            me={{ id: view.you.participant_id, name: fullName(view.you), role: 'trainer' }}
            pageId={view.pageId}
            label={t('slide.label', { page: page?.name ?? '' })}
          />
          {notes && <PresenterNotes notes={notes} />}
          <ReactionTally offered={offeredReactions(view.params.reactions)} counts={view.reactions} />
          <PageStrip pages={view.capsule.pages} current={view.pageId} snapshot={snapshot.data} onGo={goTo} />
        </main>
        <aside className="sidebar" aria-label={t('presenter.controls')}>
          <SharePanel
            link={view.link ?? room.link}
            name={view.name}
            onRename={(name) => send({ type: 'rename', name })}
            joinInfo={{ shown: joinInfoShown(joinInfo, pageIndex), onChange: setJoinInfo }}
          />
          <Tabs
            label={t('presenter.controls')}
            selected={tab}
            onSelect={setTab}
            tabs={[
              {
                id: 'quiz',
                label: t('presenter.quizTab'),
                panel: (
                  <QuizControls
                    quiz={view.quiz}
                    steps={steps}
                    defaultQuizId={room.quiz_id}
                    showAnswers={showAnswers}
                    onShowAnswers={setShowAnswers}
                    send={send}
                  />
                ),
              },
              {
                id: 'people',
                label: (
                  <>
                    {t('presenter.peopleTab')}{' '}
                    <span className="count">
                      {online}/{view.participants.length}
                    </span>
                  </>
                ),
                panel: (
                  <ParticipantsPanel
                    participants={view.participants}
                    onKick={(p, ban) => send({ type: 'kick', participant_id: p.participant_id, ban })}
                    drawing={
                      view.params.collaboration === 'draw'
                        ? { off: drawingOff, onChange: (p, allowed) => setDrawing(p.participant_id, allowed) }
                        : undefined
                    }
                  />
                ),
              },
              {
                id: 'chat',
                label: (
                  <>
                    {t('chat.title')} <span className="count">{view.chat.length}</span>
                  </>
                ),
                panel: (
                  <ChatPanel
                    lines={view.chat}
                    canWrite
                    onSend={(text) => send({ type: 'chat_send', text })}
                    onDelete={(line) => send({ type: 'chat_delete', message_id: line.id })}
                  />
                ),
              },
              {
                id: 'cloud',
                label: t('cloud.tab'),
                panel: <CloudControls cloud={view.cloud} send={send} />,
              },
              {
                id: 'qa',
                label: (
                  <>
                    {t('qa.tab')}
                    {pendingQuestions > 0 && (
                      <>
                        {' '}
                        <span className="count count-alert" aria-hidden="true">
                          {pendingQuestions}
                        </span>
                        <span className="sr-only">{t('qa.pending', { count: pendingQuestions })}</span>
                      </>
                    )}
                  </>
                ),
                panel: <QaControls mode={view.params.qa ?? 'off'} questions={view.qa} send={send} />,
              },
              {
                id: 'settings',
                label: t('presenter.settingsTab'),
                panel: (
                  <SettingsPanel
                    params={view.params}
                    locked={view.locked}
                    onParams={(params) => send({ type: 'set_params', params })}
                    onLock={(locked) => send({ type: locked ? 'lock' : 'unlock' })}
                  />
                ),
              },
            ]}
          />
        </aside>
      </div>
      <ConfirmDialog
        open={ending}
        title={t('presenter.endTitle')}
        message={
          <>
            <p>{t('presenter.endMessage', { count: online })}</p>
            <p>{t('presenter.endBoard')}</p>
            <p>
              <button type="button" className="button" onClick={saveBoard} disabled={board.kind === 'saving'}>
                {t('board.saveFirst')}
              </button>
            </p>
            <BoardFeedback board={board} />
          </>
        }
        confirm={t('presenter.end')}
        danger
        onConfirm={() => {
          setEnding(false)
          void send({ type: 'end_session' })
        }}
        onCancel={() => setEnding(false)}
      />
    </div>
  )
}

/**
 * Opens the audience screen (`/present/{name}`) in a window of its own, to drag to the
 * projector; a second click brings the same window forward.
 */
function useAudienceWindow(roomId: string, name: string) {
  const opened = useRef<Window | null>(null)
  return useCallback(() => {
    const url = `/present/${encodeURIComponent(name)}`
    if (opened.current && !opened.current.closed) {
      if (opened.current.location.pathname !== url) opened.current.location.assign(url)
      opened.current.focus()
      return
    }
    opened.current = window.open(url, `pratico-audience-${roomId}`, 'popup,width=1280,height=720')
  }, [roomId, name])
}

type BoardSave =
  { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; title: string } | { kind: 'error'; message: string }

/** What became of "save the board as a capsule". */
function BoardFeedback({ board, onDismiss }: { board: BoardSave; onDismiss?: () => void }) {
  const { t } = useI18n()
  switch (board.kind) {
    case 'idle':
      return null
    case 'saving':
      return (
        <p className="board-save muted" role="status">
          {t('board.saving')}
        </p>
      )
    case 'saved':
      return (
        <p className="board-save" role="status">
          {t('board.saved', { title: board.title })} <Link to="/capsules">{t('board.savedLink')}</Link>
          {onDismiss && (
            <button type="button" className="icon-button" onClick={onDismiss} aria-label={t('common.dismiss')}>
              ×
            </button>
          )}
        </p>
      )
    case 'error':
      return (
        <p className="board-save danger-text" role="alert">
          {t('board.error', { message: board.message })}
        </p>
      )
  }
}
