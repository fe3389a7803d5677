// Running a quiz: start, open each question, close, reveal, end; answers as they arrive and
// the results. The steps and the answer count stay at the top of the panel, whatever scrolls
// below; the right answers show only when the trainer asks (the laptop may be on the projector).
import { useState } from 'react'
import { api } from '../api'
import { useI18n } from '../i18n'
import type { ClientMessage } from '../protocol/ClientMessage'
import { Countdown } from '../live/Countdown'
import { LETTERS } from '../live/QuestionCard'
import { Distribution, Leaderboard } from '../live/Results'
import type { QuizState } from '../live/room'
import { RightAnswer } from '../live/RightAnswer'
import { QuizImage } from '../live/QuizImage'
import { TopAnswers } from '../live/TopAnswers'
import { OpenAnswers } from './OpenAnswers'
import { Switch } from '../ui/Switch'
import { useLoad } from '../ui/useLoad'
import { ANSWERS_KEYS, type QuizStep } from './quizSteps'

interface QuizControlsProps {
  quiz: QuizState | null
  steps: QuizStep[]
  /** The quiz chosen at launch, offered first. */
  defaultQuizId: string | null
  showAnswers: boolean
  onShowAnswers(show: boolean): void
  send(message: ClientMessage): Promise<boolean>
}

export function QuizControls({ quiz, steps, defaultQuizId, showAnswers, onShowAnswers, send }: QuizControlsProps) {
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
  const revealed = phase === 'revealed'
  const marked = showAnswers || revealed
  return (
    <div className="quiz-controls">
      <div className="quiz-console">
        <p className="eyebrow">{quiz.title}</p>
        {question && quiz.index !== null && (
          <>
            <div className="quiz-head">
              <h3>{t('quiz.questionOf', { n: quiz.index + 1, count: quiz.count })}</h3>
              {phase === 'open' && quiz.deadline && (
                <Countdown deadline={quiz.deadline} total={question.time_limit_s} />
              )}
            </div>
            <div className="progress" aria-live="polite">
              <span>{t('quiz.progress', { answered: quiz.answered, present: quiz.present })}</span>
              <span className="progress-bar" aria-hidden="true">
                <span style={{ transform: `scaleX(${quiz.present ? quiz.answered / quiz.present : 0})` }} />
              </span>
            </div>
          </>
        )}
        <div className="quiz-buttons" role="group" aria-label={t('quiz.steps')}>
          {steps.map((step) => (
            <button
              key={step.id}
              type="button"
              className={step.tone === 'plain' ? 'button' : `button ${step.tone}`}
              aria-keyshortcuts={step.keys}
              title={t('quiz.shortcut', { keys: step.keys })}
              onClick={() => send(step.message)}
            >
              {t(step.label)} <kbd aria-hidden="true">{step.keys.replace('Shift+', '⇧')}</kbd>
            </button>
          ))}
        </div>
      </div>
      {question && quiz.index !== null ? (
        <>
          <p className="question-prompt">{question.prompt}</p>
          <QuizImage src={question.image} kind="question" alt={t('quiz.questionImage')} />
          {(question.choices.some((c) => c.correct) || question.solution) && !revealed && (
            <Switch
              label={t('quiz.showAnswers')}
              checked={showAnswers}
              onChange={onShowAnswers}
              on={t('quiz.answersShown')}
              off={t('quiz.answersHidden')}
              shortcut={ANSWERS_KEYS}
            />
          )}
          {question.choices.length > 0 && (
            <ol className="answer-key">
              {question.choices.map((c, i) => {
                const correct = marked && c.correct
                return (
                  <li key={c.id} className={correct ? 'correct' : undefined}>
                    <span className="choice-letter">{LETTERS[i]}</span> <QuizImage src={c.image} kind="choice" alt="" />
                    {c.text}
                    {correct && <span className="sr-only"> ({t('quiz.correctMark')})</span>}
                  </li>
                )
              })}
            </ol>
          )}
          {question.items && question.items.length > 0 && (
            <ol className="answer-key" aria-label={t('quiz.itemsShown')}>
              {question.items.map((item, i) => (
                <li key={item.id}>
                  <span className="choice-letter">{i + 1}</span> {item.text}
                </li>
              ))}
            </ol>
          )}
          {marked && <RightAnswer question={question} solution={quiz.results?.solution ?? question.solution} />}
          <OpenAnswers key={question.id} answers={quiz.openAnswers} />
          {revealed && quiz.results && (
            <>
              <Distribution question={question} results={quiz.results} />
              <TopAnswers answers={quiz.results.top_answers ?? []} />
              <Leaderboard standings={quiz.results.leaderboard} limit={5} />
            </>
          )}
        </>
      ) : (
        <p className="muted">{t('quiz.readyToStart', { count: quiz.count })}</p>
      )}
      <p className="shortcut-hint muted small">{t('quiz.keysHint')}</p>
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
