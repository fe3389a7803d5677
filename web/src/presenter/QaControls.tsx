// The questions from the class as the trainer gets them (pinned first, then the most voted):
// each with who asked, its votes and status, and what to do with it.
import { useId } from 'react'
import { useI18n } from '../i18n'
import type { ClientMessage } from '../protocol/ClientMessage'
import type { Qa } from '../protocol/Qa'
import type { QaMark } from '../protocol/QaMark'
import type { QaView } from '../protocol/QaView'

interface QaControlsProps {
  mode: Qa
  questions: QaView[]
  send(message: ClientMessage): Promise<boolean>
}

export function QaControls({ mode, questions, send }: QaControlsProps) {
  const { t } = useI18n()
  const pending = questions.filter((q) => q.status === 'pending').length
  const mark = (question: QaView, what: QaMark) =>
    void send({ type: 'qa_mark', question_id: question.question_id, mark: what })
  return (
    <div className="qa-controls">
      <h3 className="eyebrow">{t('qa.title')}</h3>
      {mode === 'off' && <p className="muted small">{t('qa.isOff')}</p>}
      {pending > 0 && (
        <p className="qa-pending-note" aria-live="polite">
          {t('qa.pending', { count: pending })}
        </p>
      )}
      {questions.length === 0 ? (
        <p className="muted">{t('qa.none')}</p>
      ) : (
        <ul className="qa-list" aria-label={t('qa.list')}>
          {questions.map((question) => (
            <TrainerQuestion key={question.question_id} question={question} onMark={(m) => mark(question, m)} />
          ))}
        </ul>
      )}
    </div>
  )
}

function TrainerQuestion({ question, onMark }: { question: QaView; onMark(mark: QaMark): void }) {
  const { t } = useI18n()
  const textId = useId()
  const { status } = question
  return (
    <li className={`qa-item qa-${status}`}>
      <p className="qa-text" id={textId}>
        {question.text}
      </p>
      <p className="qa-meta">
        <span className={`pill qa-status qa-status-${status}`}>{t(`qa.status.${status}`)}</span>
        {question.pinned && <span className="pill qa-pin">{t('qa.pinned')}</span>}
        <span className="qa-votes">{t('qa.votes', { count: question.votes })}</span>
        {question.author_name && <span className="muted small">{t('qa.askedBy', { name: question.author_name })}</span>}
      </p>
      <div className="qa-buttons">
        {status === 'pending' && (
          <QaButton primary onClick={() => onMark('approved')} describedBy={textId}>
            {t('qa.approve')}
          </QaButton>
        )}
        {status === 'hidden' && (
          <QaButton onClick={() => onMark('approved')} describedBy={textId}>
            {t('qa.showAgain')}
          </QaButton>
        )}
        {status !== 'answered' && status !== 'hidden' && (
          <QaButton onClick={() => onMark('answered')} describedBy={textId}>
            {t('qa.markAnswered')}
          </QaButton>
        )}
        {status !== 'hidden' && (
          <QaButton onClick={() => onMark(question.pinned ? 'unpinned' : 'pinned')} describedBy={textId}>
            {question.pinned ? t('qa.unpin') : t('qa.pin')}
          </QaButton>
        )}
        {status !== 'hidden' && (
          <QaButton danger onClick={() => onMark('hidden')} describedBy={textId}>
            {t('qa.hide')}
          </QaButton>
        )}
      </div>
    </li>
  )
}

interface QaButtonProps {
  children: string
  describedBy: string
  primary?: boolean
  danger?: boolean
  onClick(): void
}

function QaButton({ children, describedBy, primary, danger, onClick }: QaButtonProps) {
  const tone = primary ? ' primary' : danger ? ' danger-outline' : ''
  return (
    <button type="button" className={`button small${tone}`} aria-describedby={describedBy} onClick={onClick}>
      {children}
    </button>
  )
}
