// A live room as a client sees it: the `welcome` state, kept up to date by every message.
// Pure, so both the presenter and the participant page share it.
import type { Answer } from '../protocol/Answer'
import type { CapsuleView } from '../protocol/CapsuleView'
import type { ChatLine } from '../protocol/ChatLine'
import type { CloudView } from '../protocol/CloudView'
import type { Headcount } from '../protocol/Headcount'
import type { PersonView } from '../protocol/PersonView'
import type { QaView } from '../protocol/QaView'
import type { QuestionView } from '../protocol/QuestionView'
import type { RoomParams } from '../protocol/RoomParams'
import type { ServerMessage } from '../protocol/ServerMessage'
import type { Standing } from '../protocol/Standing'
import type { YourAnswer } from '../protocol/YourAnswer'
import type { ReactionCounts } from './reactions'

export type QuizResults = Extract<ServerMessage, { type: 'quiz_results' }>
export type QuizPhase = 'idle' | 'open' | 'closed' | 'revealed' | 'ended'

export interface QuizState {
  id: string
  title: string
  count: number
  /** The question opened last (0-based), if any. */
  index: number | null
  question: QuestionView | null
  phase: QuizPhase
  /** When the open question closes, on this browser's clock. */
  deadline: number | null
  answered: number
  present: number
  results: QuizResults | null
  /** The final ranking, once the quiz ended. */
  leaderboard: Standing[] | null
  /** A participant's own final standing. */
  standing: Standing | null
  /** Free-text answers, as the trainer receives them. */
  openAnswers: { id: string; name: string; text: string }[]
  /** A participant's answer to the current question, and whether the server stored it. */
  sent: Answer | null
  accepted: boolean
  /** The answer went by itself as the time ran out (a selection never sent). */
  sentAutomatically: boolean
}

/** The word cloud running, with the words this participant sent (none for the trainer). */
export type CloudState = Omit<CloudView, 'yours'> & { yours: string[] }

export interface RoomView {
  you: PersonView
  resumeToken: string | null
  name: string
  link: string | null
  capsule: CapsuleView
  pageId: string | null
  params: RoomParams
  participants: PersonView[]
  /** Participants online and seats taken: from the server in a crowd, else from the roster. */
  headcount: Headcount
  locked: boolean
  chat: ChatLine[]
  quiz: QuizState | null
  score: number
  answers: YourAnswer[]
  cloud: CloudState | null
  /** The trainer's running totals of reactions (participants never get them). */
  reactions: ReactionCounts
  /** Questions from the class as this client may see them, in the server's order. */
  qa: QaView[]
  /** The questions this participant voted for, and those they asked (ids). */
  qaVoted: string[]
  qaAsked: string[]
  /**
   * Questions this participant sent that no `qa` frame showed yet (the `ack` names no id): the
   * first new question of that text to show is theirs.
   */
  qaWaiting: string[]
}

/** What the page itself adds: the answer it just sent, or that it could not send it. */
export type RoomEvent =
  | ServerMessage
  | { type: 'answer_sent'; question_id: string; answer: Answer; automatic: boolean }
  | { type: 'answer_failed'; question_id: string }
  | { type: 'cloud_word_sent'; cloud_id: string; text: string }
  /** `before`: the questions shown when it went, for a frame that comes before the `ack`. */
  | { type: 'qa_question_sent'; text: string; before: string[] }
  | { type: 'qa_vote_sent'; question_id: string }

const MAX_CHAT = 200

export function fullName(p: { first_name: string; last_name: string }): string {
  return `${p.first_name} ${p.last_name}`
}

function emptyQuiz(id: string, title: string, count: number): QuizState {
  return {
    id,
    title,
    count,
    index: null,
    question: null,
    phase: 'idle',
    deadline: null,
    answered: 0,
    present: 0,
    results: null,
    leaderboard: null,
    standing: null,
    openAnswers: [],
    sent: null,
    accepted: false,
    sentAutomatically: false,
  }
}

function welcome(message: Extract<ServerMessage, { type: 'welcome' }>): RoomView {
  const { state } = message
  const activity = state.activity
  let quiz: QuizState | null = null
  if (activity) {
    const mine = state.answers.find((a) => a.question_id === activity.question?.id)
    quiz = {
      ...emptyQuiz(activity.quiz_id, activity.title, activity.question_count),
      index: activity.index,
      question: activity.question,
      phase: activity.phase,
      // Counted on this browser's clock: the server's may be minutes away from it.
      deadline: activity.remaining_ms === null ? null : Date.now() + activity.remaining_ms,
      answered: activity.answered,
      present: state.headcount.online,
      sent: mine?.answer ?? null,
      accepted: mine !== undefined,
    }
  } else if (state.quiz_ended) {
    // Back after the quiz ended: its final standings, as `quiz_ended` gave them.
    const ended = state.quiz_ended
    quiz = {
      ...emptyQuiz(ended.quiz_id, ended.title, 0),
      phase: 'ended',
      leaderboard: ended.leaderboard,
      standing: ended.yours,
    }
  }
  return {
    you: message.you,
    resumeToken: message.resume_token,
    name: state.name,
    link: null,
    capsule: state.capsule,
    pageId: state.page_id,
    params: state.params,
    participants: state.participants,
    headcount: state.headcount,
    locked: state.locked,
    chat: state.chat,
    quiz,
    score: state.score,
    answers: state.answers,
    cloud: state.cloud && { ...state.cloud, yours: state.cloud.yours ?? [] },
    reactions: {},
    qa: state.qa,
    qaVoted: state.qa_voted,
    qaAsked: state.qa_asked,
    qaWaiting: [],
  }
}

/** New questions: those of a text this participant sent and no frame showed yet are theirs. */
function withQuestions(view: RoomView, questions: QaView[]): RoomView {
  if (view.qaWaiting.length === 0) return { ...view, qa: questions }
  const known = new Set([...view.qa.map((q) => q.question_id), ...view.qaAsked])
  const waiting = [...view.qaWaiting]
  const asked = [...view.qaAsked]
  for (const question of questions) {
    const at = known.has(question.question_id) ? -1 : waiting.indexOf(question.text)
    if (at < 0) continue
    waiting.splice(at, 1)
    asked.push(question.question_id)
  }
  return { ...view, qa: questions, qaAsked: asked, qaWaiting: waiting }
}

/** Whoever is told of every arrival and departure holds the whole roster: it gives the count. */
function withRoster(view: RoomView, participants: PersonView[]): RoomView {
  const online = participants.filter((p) => p.online).length
  return { ...view, participants, headcount: { online, seats: Math.max(view.headcount.seats, participants.length) } }
}

function withQuiz(view: RoomView, change: (quiz: QuizState) => Partial<QuizState>): RoomView {
  return view.quiz ? { ...view, quiz: { ...view.quiz, ...change(view.quiz) } } : view
}

export function roomReducer(view: RoomView | null, event: RoomEvent): RoomView | null {
  // The counts are totals since the room's task started: a new `welcome` does not reset them.
  if (event.type === 'welcome') return { ...welcome(event), reactions: event.state.reactions ?? view?.reactions ?? {} }
  if (!view) return view
  switch (event.type) {
    case 'participant_joined': {
      if (event.role !== 'participant') return view
      const { type: _type, rejoin: _rejoin, ...person } = event
      const others = view.participants.filter((p) => p.participant_id !== person.participant_id)
      return withRoster(view, [...others, person])
    }
    case 'participant_left':
      return withRoster(
        view,
        event.reason === 'banned'
          ? view.participants.filter((p) => p.participant_id !== event.participant_id)
          : view.participants.map((p) => (p.participant_id === event.participant_id ? { ...p, online: false } : p)),
      )
    case 'headcount':
      return { ...view, headcount: { online: event.online, seats: event.seats } }
    case 'page_changed':
      return { ...view, pageId: event.page_id }
    case 'params_changed':
      return { ...view, params: event.params }
    case 'locked':
      return { ...view, locked: event.locked }
    case 'renamed':
      return { ...view, name: event.to, link: event.link }
    case 'chat_message': {
      const { type: _type, ...line } = event
      return { ...view, chat: [...view.chat, line].slice(-MAX_CHAT) }
    }
    case 'chat_deleted':
      return { ...view, chat: view.chat.filter((line) => line.id !== event.message_id) }
    case 'quiz_started':
      return {
        ...view,
        quiz: emptyQuiz(event.quiz_id, event.title, event.question_count),
      }
    case 'quiz_question':
      return withQuiz(view, () => ({
        index: event.index,
        count: event.count,
        question: event.question,
        phase: 'open',
        deadline: Date.now() + event.remaining_ms,
        answered: 0,
        results: null,
        openAnswers: [],
        sent: null,
        accepted: false,
        sentAutomatically: false,
      }))
    case 'quiz_progress':
      return withQuiz(view, () => ({ answered: event.answered, present: event.present }))
    case 'quiz_open_answer':
      return withQuiz(view, (quiz) => ({
        openAnswers: [...quiz.openAnswers, { id: event.participant_id, name: fullName(event), text: event.text }],
      }))
    case 'answer_sent':
      return withQuiz(view, () => ({ sent: event.answer, accepted: false, sentAutomatically: event.automatic }))
    case 'answer_failed':
      // Refused or not delivered (the reason shows as a notice): the choice can be sent again.
      return withQuiz(view, (quiz) =>
        quiz.question?.id === event.question_id && !quiz.accepted ? { sent: null, sentAutomatically: false } : {},
      )
    case 'quiz_answer_accepted': {
      const sent = view.quiz?.sent
      if (!sent) return view
      const answer: YourAnswer = { question_id: event.question_id, answer: sent, correct: null, points: null }
      return { ...withQuiz(view, () => ({ accepted: true })), answers: [...view.answers, answer] }
    }
    case 'quiz_question_closed':
      return withQuiz(view, () => ({
        phase: 'closed',
        answered: event.answered,
        present: event.present,
      }))
    case 'quiz_results': {
      const yours = event.yours
      const next = withQuiz(view, () => ({ phase: 'revealed', results: event }))
      if (!yours) return next
      return {
        ...next,
        score: yours.score,
        answers: next.answers.map((a) =>
          a.question_id === event.question_id ? { ...a, correct: yours.correct, points: yours.points } : a,
        ),
      }
    }
    case 'quiz_ended':
      return withQuiz(view, () => ({
        phase: 'ended',
        leaderboard: event.leaderboard,
        standing: event.yours,
      }))
    case 'reactions':
      return { ...view, reactions: event.counts }
    case 'cloud_started': {
      const { type: _type, ...started } = event
      return { ...view, cloud: { ...started, shown: false, words: [], distinct: 0, contributors: 0, yours: [] } }
    }
    case 'cloud': {
      const { type: _type, yours: _yours, ...cloud } = event
      const yours = view.cloud?.cloud_id === cloud.cloud_id ? view.cloud.yours : []
      return { ...view, cloud: { ...cloud, yours } }
    }
    case 'cloud_word_sent':
      return view.cloud?.cloud_id === event.cloud_id
        ? { ...view, cloud: { ...view.cloud, yours: [...view.cloud.yours, event.text] } }
        : view
    case 'qa':
      return withQuestions(view, event.questions)
    case 'qa_question_sent': {
      const shown = view.qa.find(
        (q) => q.text === event.text && !event.before.includes(q.question_id) && !view.qaAsked.includes(q.question_id),
      )
      return shown
        ? { ...view, qaAsked: [...view.qaAsked, shown.question_id] }
        : { ...view, qaWaiting: [...view.qaWaiting, event.text] }
    }
    case 'qa_vote_sent':
      return view.qaVoted.includes(event.question_id)
        ? view
        : { ...view, qaVoted: [...view.qaVoted, event.question_id] }
    case 'cloud_ended':
      return view.cloud?.cloud_id === event.cloud_id ? { ...view, cloud: null } : view
    default:
      return view
  }
}
