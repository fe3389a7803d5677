// Running a quiz: start, open each question, close, reveal, end; answers as they arrive and
// the results.
import { useState } from 'react'
import { api } from '../api'
import { useI18n } from '../i18n'
import type { ClientMessage } from '../protocol/ClientMessage'
import { Countdown } from '../live/Countdown'
import { LETTERS } from '../live/QuestionCard'
import { Distribution, Leaderboard } from '../live/Results'
import type { QuizState } from '../live/room'
import { useLoad } from '../ui/useLoad'

interface QuizControlsProps {
  quiz: QuizState | null
  /** The quiz chosen at launch, offered first. */
  defaultQuizId: string | null
  send(message: ClientMessage): Promise<boolean>
}

export function QuizControls({ quiz, defaultQuizId, send }: QuizControlsProps) {
  const { t } = useI18n()
  if (!quiz || quiz.phase === 'ended') {
    return (
      <div className="quiz-controls">
        {quiz && (
          <>
            <h3>{t('quiz.finished', { title: quiz.title })}</h3>
            <Leaderboard standings={quiz.leaderboard ?? []} />
          </>
        )}
        <QuizPicker
          defaultQuizId={defaultQuizId}
          again={quiz !== null}
          onStart={(id) => send({ type: 'quiz_start', quiz_id: id })}
        />
      </div>
    )
  }
  const { question, phase } = quiz
  const last = quiz.index !== null && quiz.index + 1 >= quiz.count
  return (
    <div className="quiz-controls">
      <p className="eyebrow">{quiz.title}</p>
      {question && quiz.index !== null ? (
        <>
          <div className="quiz-head">
            <h3>{t('quiz.questionOf', { n: quiz.index + 1, count: quiz.count })}</h3>
            {phase === 'open' && quiz.deadline && <Countdown deadline={quiz.deadline} total={question.time_limit_s} />}
          </div>
          <p className="question-prompt">{question.prompt}</p>
          {question.choices.length > 0 && (
            <ol className="answer-key">
              {question.choices.map((c, i) => (
                <li key={c.id} className={c.correct ? 'correct' : undefined}>
                  <span className="choice-letter">{LETTERS[i]}</span> {c.text}
                  {c.correct && <span className="sr-only"> ({t('quiz.correctMark')})</span>}
                </li>
              ))}
            </ol>
          )}
          <div className="progress" aria-live="polite">
            <span>{t('quiz.progress', { answered: quiz.answered, present: quiz.present })}</span>
            <span className="progress-bar" aria-hidden="true">
              <span style={{ transform: `scaleX(${quiz.present ? quiz.answered / quiz.present : 0})` }} />
            </span>
          </div>
          {quiz.openAnswers.length > 0 && (
            <ul className="open-answers" aria-label={t('quiz.openAnswers')}>
              {quiz.openAnswers.map((a) => (
                <li key={a.id}>
                  <strong>{a.name}</strong> {a.text}
                </li>
              ))}
            </ul>
          )}
          {phase === 'revealed' && quiz.results && (
            <>
              <Distribution question={question} results={quiz.results} />
              <Leaderboard standings={quiz.results.leaderboard} limit={5} />
            </>
          )}
        </>
      ) : (
        <p className="muted">{t('quiz.readyToStart', { count: quiz.count })}</p>
      )}
      <div className="quiz-buttons">
        {phase === 'open' && (
          <button type="button" className="button" onClick={() => send({ type: 'quiz_close' })}>
            {t('quiz.close')}
          </button>
        )}
        {(phase === 'open' || phase === 'closed') && (
          <button type="button" className="button primary" onClick={() => send({ type: 'quiz_reveal' })}>
            {t('quiz.reveal')}
          </button>
        )}
        {(phase === 'idle' || phase === 'revealed' || phase === 'closed') && !last && (
          <button
            type="button"
            className={phase === 'closed' ? 'button' : 'button primary'}
            onClick={() => send({ type: 'quiz_next' })}
          >
            {quiz.index === null ? t('quiz.first') : t('quiz.next')}
          </button>
        )}
        <button
          type="button"
          className={last && phase === 'revealed' ? 'button primary' : 'button ghost'}
          onClick={() => send({ type: 'quiz_end' })}
        >
          {t('quiz.end')}
        </button>
      </div>
    </div>
  )
}

function QuizPicker({
  defaultQuizId,
  again,
  onStart,
}: {
  defaultQuizId: string | null
  again: boolean
  onStart(id: string): void
}) {
  const { t } = useI18n()
  const quizzes = useLoad(api.quizzes, [])
  const [chosen, setChosen] = useState<string | null>(null)
  const id = chosen ?? defaultQuizId ?? quizzes.data?.[0]?.id ?? ''
  if (quizzes.data?.length === 0) return <p className="muted">{t('quiz.noQuizzes')}</p>
  return (
    <div className="quiz-picker">
      <label className="field">
        <span className="field-label">{again ? t('quiz.another') : t('quiz.choose')}</span>
        <select value={id} onChange={(e) => setChosen(e.target.value)}>
          {quizzes.data?.map((q) => (
            <option key={q.id} value={q.id}>
              {q.title} ({t('quizzes.questions', { count: q.questions.length })})
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="button primary" disabled={!id} onClick={() => onStart(id)}>
        {t('quiz.start')}
      </button>
    </div>
  )
}
