// A participant in the session: the current page, the quiz, the word cloud, questions from the
// class, the chat.
import { useEffect, useState } from 'react'
import { api } from '../api'
import { LazySharedCanvas, LazySlide } from '../canvas'
import { useI18n } from '../i18n'
import type { Answer } from '../protocol/Answer'
import type { ClientMessage } from '../protocol/ClientMessage'
import { ChatPanel } from '../live/ChatPanel'
import { offeredReactions } from '../live/reactions'
import { fullName, type RoomEvent, type RoomView } from '../live/room'
import type { LiveError, LiveStatus } from '../live/socket'
import { StatusPill } from '../live/StatusPill'
import { Alert } from '../ui/Alert'
import { LanguageSwitch } from '../ui/LanguageSwitch'
import { Truncate } from '../ui/Truncate'
import { useLoad } from '../ui/useLoad'
import { ParticipantCloud } from './ParticipantCloud'
import { ParticipantQa } from './ParticipantQa'
import { ParticipantQuiz } from './ParticipantQuiz'
import { ImageViewer } from '../live/QuizImage'
import { ReactionBar } from './ReactionBar'

interface LiveViewProps {
  view: RoomView
  status: LiveStatus
  notice: string | null
  onDismissNotice(): void
  send(message: ClientMessage): Promise<boolean>
  /** Sends and gives the refusal, for what shows its errors in place (reactions, words). */
  request(message: ClientMessage): Promise<LiveError | null>
  dispatch(event: RoomEvent): void
}

export function LiveView({ view, status, notice, onDismissNotice, send, request, dispatch }: LiveViewProps) {
  const { t } = useI18n()
  // `private`: each draws on a copy of the document, taken when the mode starts; otherwise the
  // room's shared board, live.
  const isPrivate = view.params.collaboration === 'private'
  const snapshot = useLoad(
    () => (isPrivate ? api.roomSnapshot(view.name, view.resumeToken ?? undefined) : Promise.resolve(null)),
    [isPrivate],
  )
  const free = view.params.navigation === 'free'
  const [ownPage, setOwnPage] = useState<string | null>(null)
  // The trainer bringing everyone to a page wins over where one wandered.
  useEffect(() => setOwnPage(null), [view.pageId])
  const pageId = (free && ownPage) || view.pageId
  const pageIndex = view.capsule.pages.findIndex((p) => p.id === pageId)
  const page = view.capsule.pages[pageIndex]

  const goTo = (index: number) => {
    const target = view.capsule.pages[index]
    if (!target) return
    setOwnPage(target.id)
    void send({ type: 'set_page', page_id: target.id })
  }

  const answer = async (given: Answer, automatic: boolean) => {
    const question = view.quiz?.question
    if (!question) return
    dispatch({ type: 'answer_sent', question_id: question.id, answer: given, automatic })
    if (!(await send({ type: 'quiz_answer', question_id: question.id, ...given })))
      dispatch({ type: 'answer_failed', question_id: question.id })
  }

  const label = t('slide.label', { page: page?.name ?? '' })
  const chatOn = view.params.chat === 'on'
  const quizShown = view.quiz !== null
  // An activity to take part in comes first on a phone, as a quiz does.
  const activity = quizShown || view.cloud !== null
  return (
    <div className="participant">
      <header className="participant-bar">
        <h1 className="participant-title">
          <Truncate text={view.capsule.title} />
        </h1>
        <div className="participant-meta">
          <span className="participant-name">
            <span className="sr-only">{t('live.you')} </span>
            <Truncate text={fullName(view.you)} />
          </span>
          <span className="headcount">{t('live.headcount', { count: view.headcount.online })}</span>
          {view.score > 0 && <span className="score-chip">{t('quiz.points', { count: view.score })}</span>}
        </div>
        <div className="participant-tools">
          <StatusPill status={status} />
          <LanguageSwitch />
        </div>
      </header>
      {/* Over the page, never in its flow: a notice does not push the board or its tools away. */}
      {(status === 'reconnecting' || notice) && (
        <div className="live-notices">
          {status === 'reconnecting' && (
            <div className="banner" role="status">
              {t('live.reconnectingLong')}
            </div>
          )}
          {notice && <Alert onDismiss={onDismissNotice}>{notice}</Alert>}
        </div>
      )}
      <div className={activity ? 'participant-body with-quiz' : 'participant-body'}>
        <main className="participant-stage" id="main" tabIndex={-1}>
          {!isPrivate ? (
            <LazySharedCanvas
              room={view.name}
              token={view.resumeToken}
              me={{ id: view.you.participant_id, name: fullName(view.you), role: 'participant' }}
              pageId={pageId}
              label={label}
            />
          ) : snapshot.data ? (
            <LazySlide
              snapshot={snapshot.data}
              pageId={pageId}
              drawing
              label={label}
              viewer={{ room: view.name, token: view.resumeToken }}
            />
          ) : (
            <div className="slide slide-loading" role="status">
              {snapshot.error ? t('slide.unavailable') : t('common.loading')}
            </div>
          )}
          <nav className="pager" aria-label={t('slide.pages')}>
            {free && (
              <button type="button" className="button" onClick={() => goTo(pageIndex - 1)} disabled={pageIndex <= 0}>
                ‹ <span className="sr-only">{t('slide.previous')}</span>
              </button>
            )}
            <span className="pager-label">
              {t('slide.pageOf', { n: pageIndex + 1, count: view.capsule.pages.length })} · {page?.name}
              {!free && <span className="muted"> · {t('slide.following')}</span>}
            </span>
            {free && (
              <button
                type="button"
                className="button"
                onClick={() => goTo(pageIndex + 1)}
                disabled={pageIndex >= view.capsule.pages.length - 1}
              >
                <span className="sr-only">{t('slide.next')}</span> ›
              </button>
            )}
          </nav>
          <ReactionBar offered={offeredReactions(view.params.reactions)} request={request} />
        </main>
        <aside className="participant-side" aria-label={t('live.sidePanel')}>
          {view.quiz && (
            <ImageViewer.Provider value={{ room: view.name, token: view.resumeToken }}>
              <ParticipantQuiz quiz={view.quiz} you={view.you.participant_id} onAnswer={answer} />
            </ImageViewer.Provider>
          )}
          {view.cloud && <ParticipantCloud cloud={view.cloud} request={request} dispatch={dispatch} />}
          {(view.params.qa === 'on' || view.params.qa === 'moderated') && (
            <ParticipantQa view={view} request={request} dispatch={dispatch} />
          )}
          <details className="card chat-card" open={!quizShown}>
            <summary>
              <h2>{t('chat.title')}</h2>
              <span className="count">{view.chat.length}</span>
            </summary>
            <ChatPanel lines={view.chat} canWrite={chatOn} onSend={(text) => send({ type: 'chat_send', text })} />
          </details>
        </aside>
      </div>
    </div>
  )
}
