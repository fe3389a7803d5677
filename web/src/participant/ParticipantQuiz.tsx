// The quiz on a participant's screen: the open question with its timer, then their own result.
import { useI18n } from '../i18n'
import type { Answer } from '../protocol/Answer'
import { Countdown } from '../live/Countdown'
import { LETTERS, QuestionCard } from '../live/QuestionCard'
import { Distribution, Leaderboard } from '../live/Results'
import type { QuizState } from '../live/room'
import { choiceText } from '../live/choiceText'
import { RightAnswer } from '../live/RightAnswer'
import { QuizImage } from '../live/QuizImage'

interface ParticipantQuizProps {
  quiz: QuizState
  you: string
  onAnswer(answer: Answer, automatic: boolean): void
}

export function ParticipantQuiz({ quiz, you, onAnswer }: ParticipantQuizProps) {
  const { t } = useI18n()
  const { question, results } = quiz

  if (quiz.phase === 'ended') {
    return (
      <section className="card quiz-card" aria-labelledby="quiz-heading">
        <h2 id="quiz-heading">{t('quiz.finished', { title: quiz.title })}</h2>
        {quiz.standing && (
          <p className="big-result">
            {t('quiz.finalStanding', { rank: quiz.standing.rank, score: quiz.standing.score })}
          </p>
        )}
        <Leaderboard standings={quiz.leaderboard ?? []} you={you} limit={5} />
      </section>
    )
  }
  if (!question || quiz.index === null) {
    return (
      <section className="card quiz-card" aria-labelledby="quiz-heading">
        <p className="eyebrow">{t('quiz.quiz')}</p>
        <h2 id="quiz-heading">{quiz.title}</h2>
        <p className="muted">{t('quiz.getReady')}</p>
      </section>
    )
  }
  const correct = question.choices
    .map((c, i) => ({ ...c, letter: LETTERS[i] }))
    .filter((c) => results?.correct_choice_ids.includes(c.id))
  return (
    <section className="card quiz-card" aria-labelledby="quiz-heading">
      <div className="quiz-head">
        <p className="eyebrow" id="quiz-heading">
          {t('quiz.questionOf', { n: quiz.index + 1, count: quiz.count })}
        </p>
        {quiz.phase === 'open' && quiz.deadline && <Countdown deadline={quiz.deadline} total={question.time_limit_s} />}
      </div>
      {quiz.phase === 'revealed' && results ? (
        <>
          <h2 className="question-prompt">{question.prompt}</h2>
          <QuizImage src={question.image} kind="question" alt={t('quiz.questionImage')} />
          <YourResult quiz={quiz} />
          {correct.length > 0 && (
            <p>
              {t('quiz.correctAnswer', { count: correct.length })}{' '}
              <strong>{correct.map((c) => `${c.letter}. ${choiceText(question, c, t)}`).join(' · ')}</strong>
            </p>
          )}
          <RightAnswer
            question={question}
            solution={results.solution ?? question.solution}
            mine={quiz.accepted ? quiz.sent : null}
          />
          <Distribution question={question} results={results} />
          <Leaderboard standings={results.leaderboard} you={you} limit={5} />
        </>
      ) : (
        <>
          <QuestionCard
            key={question.id}
            question={question}
            answer={quiz.sent}
            disabled={quiz.phase !== 'open'}
            deadline={quiz.phase === 'open' ? quiz.deadline : null}
            onAnswer={onAnswer}
          />
          <p className="quiz-state" role="status">
            <AnswerState quiz={quiz} />
          </p>
        </>
      )}
    </section>
  )
}

/** Where the participant's answer stands: sending, sent (by them or by itself), time up. */
function AnswerState({ quiz }: { quiz: QuizState }) {
  const { t } = useI18n()
  const { sent, accepted, sentAutomatically } = quiz
  if (quiz.phase !== 'open')
    return sent && accepted && sentAutomatically ? t('quiz.timeUpSentAutomatically') : t('quiz.timeUp')
  if (!sent) return null
  if (!accepted) return t('quiz.sending')
  return sentAutomatically ? t('quiz.sentAutomatically') : t('quiz.answerSent')
}

function YourResult({ quiz }: { quiz: QuizState }) {
  const { t } = useI18n()
  const yours = quiz.results?.yours
  if (!yours) return null
  let verdict: string
  let tone: string
  if (!yours.answered) [verdict, tone] = [t('quiz.noAnswer'), 'neutral']
  else if (yours.correct === null) [verdict, tone] = [t('quiz.thanks'), 'neutral']
  else if (yours.correct) [verdict, tone] = [t('quiz.correct', { points: yours.points }), 'good']
  // An order partly right under partial credit: not correct, yet it earned points.
  else if (yours.points > 0) [verdict, tone] = [t('quiz.partlyRight', { points: yours.points }), 'partial']
  else [verdict, tone] = [t('quiz.wrong'), 'bad']
  return (
    <div className={`your-result result-${tone}`}>
      <strong>{verdict}</strong>
      <span>{t('quiz.scoreRank', { score: yours.score, rank: yours.rank })}</span>
    </div>
  )
}
