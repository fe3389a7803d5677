// Questions from the class on a participant's phone: a question to ask, and the class's questions
// (as the server sorts them) with a vote for each, never for one's own nor twice.
import { useEffect, useId, useState, type FormEvent } from 'react'
import { useI18n, type Translate } from '../i18n'
import { liveErrorText } from '../live/errors'
import type { RoomEvent, RoomView } from '../live/room'
import type { LiveError } from '../live/socket'
import type { ClientMessage } from '../protocol/ClientMessage'
import { ErrorCode } from '../protocol/ErrorCode'
import type { QaView } from '../protocol/QaView'

const MAX_CHARS = 500

interface ParticipantQaProps {
  view: Pick<RoomView, 'params' | 'qa' | 'qaVoted' | 'qaAsked'>
  request(message: ClientMessage): Promise<LiveError | null>
  dispatch(event: RoomEvent): void
}

export function ParticipantQa({ view, request, dispatch }: ParticipantQaProps) {
  const { t } = useI18n()
  const titleId = useId()
  const moderated = view.params.qa === 'moderated'
  const [error, setError] = useState<string | null>(null)

  const vote = async (question: QaView) => {
    setError(null)
    const refused = await request({ type: 'qa_vote', question_id: question.question_id })
    // Already voted (from another tab): the vote is there all the same.
    if (!refused || refused.code === ErrorCode.already_voted)
      dispatch({ type: 'qa_vote_sent', question_id: question.question_id })
    if (refused) setError(qaError(t, refused))
  }

  return (
    <section className="card qa-card" aria-labelledby={titleId}>
      <h2 id={titleId} className="qa-card-title">
        {t('qa.title')}
      </h2>
      <AskForm
        moderated={moderated}
        shown={view.qa.filter((q) => view.qaAsked.includes(q.question_id)).length}
        questionIds={view.qa.map((q) => q.question_id)}
        request={request}
        dispatch={dispatch}
      />
      {error && (
        <p className="danger-text qa-error" role="alert">
          {error}
        </p>
      )}
      {view.qa.length === 0 ? (
        <p className="muted small">{t('qa.noneYet')}</p>
      ) : (
        <ul className="qa-list qa-list-phone" aria-label={t('qa.list')}>
          {view.qa.map((question) => (
            <ClassQuestion
              key={question.question_id}
              question={question}
              mine={view.qaAsked.includes(question.question_id)}
              voted={view.qaVoted.includes(question.question_id)}
              onVote={() => vote(question)}
            />
          ))}
        </ul>
      )}
    </section>
  )
}

interface AskFormProps {
  moderated: boolean
  /** How many of this participant's questions the class sees: one more, and "sent" has done its job. */
  shown: number
  /** The questions shown now: one of the text sent that shows before the `ack` is this one. */
  questionIds: string[]
  request(message: ClientMessage): Promise<LiveError | null>
  dispatch(event: RoomEvent): void
}

function AskForm({ moderated, shown, questionIds, request, dispatch }: AskFormProps) {
  const { t } = useI18n()
  const id = useId()
  const [text, setText] = useState('')
  const [sending, setSending] = useState(false)
  const [said, setSaid] = useState<{ error: boolean; text: string } | null>(null)
  // Once approved, "it will show once approved" is no longer true: the question is there.
  useEffect(() => setSaid((now) => (now?.error ? now : null)), [shown])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    const question = text.trim()
    if (!question || sending) return
    setSending(true)
    setSaid(null)
    const before = questionIds
    const refused = await request({ type: 'qa_ask', text: question })
    setSending(false)
    if (refused) return setSaid({ error: true, text: qaError(t, refused) })
    dispatch({ type: 'qa_question_sent', text: question, before })
    setText('')
    setSaid({ error: false, text: moderated ? t('qa.sentModerated') : t('qa.sent') })
  }

  return (
    <form className="qa-form" onSubmit={submit}>
      <label htmlFor={id} className="qa-label">
        {t('qa.yourQuestion')}
      </label>
      <textarea
        id={id}
        value={text}
        onChange={(e) => {
          setText(e.target.value)
          setSaid(null)
        }}
        maxLength={MAX_CHARS}
        rows={2}
        aria-describedby={`${id}-hint`}
        aria-invalid={said?.error === true}
        enterKeyHint="send"
      />
      <div className="qa-form-row">
        <span className="muted small" id={`${id}-hint`}>
          {moderated && <>{t('qa.moderatedNote')} </>}
          {t('qa.charsLeft', { count: MAX_CHARS - text.length })}
        </span>
        <button type="submit" className="button primary" disabled={!text.trim() || sending}>
          {t('qa.send')}
        </button>
      </div>
      {said && (
        <p className={said.error ? 'danger-text qa-said' : 'qa-said qa-said-ok'} role={said.error ? 'alert' : 'status'}>
          {said.text}
        </p>
      )}
    </form>
  )
}

interface ClassQuestionProps {
  question: QaView
  mine: boolean
  voted: boolean
  onVote(): Promise<void>
}

function ClassQuestion({ question, mine, voted, onVote }: ClassQuestionProps) {
  const { t } = useI18n()
  const [voting, setVoting] = useState(false)
  const answered = question.status === 'answered'
  const vote = async () => {
    setVoting(true)
    await onVote()
    setVoting(false)
  }
  return (
    <li className={answered ? 'qa-item qa-answered' : 'qa-item'}>
      <p className="qa-text">{question.text}</p>
      <div className="qa-meta">
        {answered && <span className="pill qa-status qa-status-answered">{t('qa.status.answered')}</span>}
        {question.pinned && <span className="pill qa-pin">{t('qa.pinned')}</span>}
        {question.author_name && <span className="muted small">{t('qa.askedBy', { name: question.author_name })}</span>}
      </div>
      <div className="qa-vote">
        <span className="qa-votes">{t('qa.votes', { count: question.votes })}</span>
        <button
          type="button"
          className={voted ? 'button small qa-vote-button voted' : 'button small qa-vote-button'}
          disabled={mine || voted || voting}
          aria-label={mine || voted ? undefined : t('qa.voteFor', { text: question.text })}
          onClick={vote}
        >
          <span aria-hidden="true">▲</span> {mine ? t('qa.yours') : voted ? t('qa.voted') : t('qa.vote')}
        </button>
      </div>
    </li>
  )
}

/** Why a question or a vote was refused, in words. */
function qaError(t: Translate, error: LiveError): string {
  if (error.code === ErrorCode.rate_limited) return t('qa.rateLimited')
  if (error.code === ErrorCode.not_found) return t('error.not_found')
  if (error.code === ErrorCode.too_large) return t('qa.charsLeft', { count: 0 })
  return liveErrorText(t, error.code, error.message)
}
