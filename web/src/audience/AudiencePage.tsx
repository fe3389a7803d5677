// `/present/{name}`: the audience screen, for the projector. The trainer opens it from the
// presenter (it uses their log-in and joins the room's live socket as the trainer, like the
// presenter itself) and it follows the session live, with no controls: the current page, large;
// during a quiz the question, its choices and a big countdown (never the right answer before the
// reveal), the answers as they come, the results, the podium; the join link and its QR code
// when the presenter shows them.
import { useEffect, useState, type ReactNode } from 'react'
import { api } from '../api'
import type { Room } from '../api-types/Room'
import { LazySharedCanvas } from '../canvas'
import { useI18n } from '../i18n'
import { liveErrorText } from '../live/errors'
import { ReactionTally } from '../live/ReactionTally'
import { offeredReactions } from '../live/reactions'
import { fullName } from '../live/room'
import { StatusPill } from '../live/StatusPill'
import { useTrainerRoom } from '../live/useTrainerRoom'
import { navigate } from '../router'
import { useLoad } from '../ui/useLoad'
import { AudienceCloud } from './AudienceCloud'
import { AudienceQuestion, AudienceResults, QuizIntro } from './AudienceQuiz'
import { FullscreenButton, useIdle } from './Fullscreen'
import { JoinPanel } from './JoinPanel'
import { joinInfoShown, useJoinInfoChoice } from './joinInfo'
import { Podium, usePodium } from './Podium'

export function AudiencePage({ name: arrivedAt }: { name: string }) {
  const { t } = useI18n()
  /** The room's name on arrival: a rename changes the address bar, not the screen. */
  const [name] = useState(arrivedAt)
  const rooms = useLoad(api.rooms, [])
  const room = rooms.data?.find((r) => r.name === name)
  // `/present/{id}` was once the presenter's address: an old link or bookmark still gets there.
  const byId = room ? undefined : rooms.data?.find((r) => r.id === name)
  useEffect(() => {
    if (byId) navigate(`/live/${byId.id}`, { replace: true })
  }, [byId])

  if (rooms.error) return <AudienceMessage title={t('error.generic')} />
  if (!rooms.data || byId) return <AudienceMessage title={t('common.loading')} />
  if (!room) return <AudienceMessage title={t('audience.notFoundTitle')}>{t('audience.notFound')}</AudienceMessage>
  return <Audience room={room} />
}

function Audience({ room }: { room: Room }) {
  const { t } = useI18n()
  const live = useTrainerRoom(room)
  const { view, outcome, status } = live
  const [joinChoice] = useJoinInfoChoice(room.id)
  const podium = usePodium(room.id, view)
  const idle = useIdle()

  // A rename moves the screen to the new address, so that a reload finds the room.
  const liveName = view?.name
  useEffect(() => {
    if (liveName) window.history.replaceState(null, '', `/present/${encodeURIComponent(liveName)}`)
  }, [liveName])

  const title = view?.capsule.title ?? room.capsule_title
  useEffect(() => {
    const before = document.title
    document.title = t('audience.windowTitle', { title })
    return () => {
      document.title = before
    }
  }, [t, title])

  if (outcome) {
    return outcome.kind === 'refused' ? (
      <AudienceMessage title={t('live.refusedTitle')}>
        {liveErrorText(t, outcome.code, outcome.message)}
      </AudienceMessage>
    ) : (
      <AudienceMessage title={t('live.endedTitle')}>{t('audience.ended')}</AudienceMessage>
    )
  }
  if (!view) return <AudienceMessage title={t('live.connecting')} />

  const pageIndex = view.capsule.pages.findIndex((p) => p.id === view.pageId)
  const page = view.capsule.pages[pageIndex]
  const quiz = view.quiz
  const question = quiz?.question
  const link = view.link ?? room.link
  const join = joinInfoShown(joinChoice, pageIndex) && <JoinPanel link={link} online={view.headcount.online} />

  // What covers the page: a question while it is on, the word cloud while the trainer shows it,
  // the quiz's start and podium.
  let cover: ReactNode = null
  if (quiz && question && (quiz.phase === 'open' || quiz.phase === 'closed')) {
    cover = <AudienceQuestion quiz={quiz} question={question} />
  } else if (quiz && question && quiz.phase === 'revealed') {
    cover = <AudienceResults quiz={quiz} question={question} />
  } else if (view.cloud?.shown) {
    cover = <AudienceCloud cloud={view.cloud} />
  } else if (quiz && quiz.phase === 'idle') {
    cover = <QuizIntro quiz={quiz} join={join} />
  } else if (quiz && quiz.phase === 'ended' && podium) {
    cover = <Podium title={quiz.title} standings={quiz.leaderboard ?? []} />
  }

  return (
    <main className={idle ? 'audience idle' : 'audience'} id="main">
      <div className={join && !cover ? 'audience-stage with-join' : 'audience-stage'} inert={cover !== null}>
        <div className="audience-slide">
          <LazySharedCanvas
            room={view.name}
            token={null}
            me={{ id: view.you.participant_id, name: fullName(view.you), role: 'trainer' }}
            pageId={view.pageId}
            label={t('slide.label', { page: page?.name ?? '' })}
            watch
          />
        </div>
        {!cover && join}
      </div>
      {cover && <div className="audience-cover">{cover}</div>}
      <ReactionTally
        offered={offeredReactions(view.params.reactions)}
        counts={view.reactions}
        className="reaction-tally-audience"
      />
      {status !== 'open' && (
        <div className="audience-status">
          <StatusPill status={status} />
        </div>
      )}
      <FullscreenButton />
    </main>
  )
}

/** A screen with one message: loading, not found, the end. */
function AudienceMessage({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <main className="audience audience-message" id="main">
      <h1>{title}</h1>
      {children && <p>{children}</p>}
    </main>
  )
}
