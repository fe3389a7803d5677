// The quiz on the audience screen: the question with its countdown and the answers coming in,
// then the results. Before the reveal only the prompt and the choices' or items' texts are
// rendered: the trainer's copy of the question carries the right answers (`correct`,
// `solution`), and none of it may reach the screen (not even hidden) until `quiz_results`.
import type { ReactNode } from 'react'
import { useI18n } from '../i18n'
import { Countdown } from '../live/Countdown'
import { LETTERS } from '../live/QuestionCard'
import { rightOrder, solutionText } from '../live/RightAnswer'
import type { QuizState } from '../live/room'
import type { AnswerCount } from '../protocol/AnswerCount'
import type { QuestionView } from '../protocol/QuestionView'
import type { Solution } from '../protocol/Solution'
import { choiceText } from '../live/choiceText'
import { QuizImage } from '../live/QuizImage'

interface QuizProps {
  quiz: QuizState
  question: QuestionView
}

export function AudienceQuestion({ quiz, question }: QuizProps) {
  const { t } = useI18n()
  // What may show before the reveal, and nothing else.
  const choices = question.choices.map(({ id, text, image }) => ({ id, text, image }))
  const items = (question.items ?? []).map(({ id, text }) => ({ id, text }))
  return (
    <section className="audience-quiz" aria-labelledby="audience-prompt">
      <QuestionHead quiz={quiz}>
        {quiz.phase === 'open' && quiz.deadline ? (
          <Countdown deadline={quiz.deadline} total={question.time_limit_s} />
        ) : (
          <p className="audience-timeup">{t('audience.timeUp')}</p>
        )}
      </QuestionHead>
      <h1 id="audience-prompt" className="audience-prompt">
        {question.prompt}
      </h1>
      <QuizImage src={question.image} kind="question" alt={t('quiz.questionImage')} />
      {question.kind === 'multiple' && <p className="audience-hint">{t('quiz.severalAnswers')}</p>}
      {choices.length > 0 ? (
        <ol className="audience-choices">
          {choices.map((choice, i) => (
            <li
              key={choice.id}
              className={choice.image ? 'audience-choice with-image' : 'audience-choice'}
              data-letter={LETTERS[i]}
            >
              <QuizImage src={choice.image} kind="choice" alt="" />
              <span className="choice-letter" aria-hidden="true">
                {LETTERS[i]}
              </span>
              <span className="audience-choice-text">{choiceText(question, choice, t)}</span>
            </li>
          ))}
        </ol>
      ) : items.length > 0 ? (
        <>
          <p className="audience-hint">{t('audience.orderQuestion')}</p>
          <ol className="audience-choices audience-items">
            {items.map((item, i) => (
              <li key={item.id} className="audience-choice">
                <span className="choice-letter" aria-hidden="true">
                  {i + 1}
                </span>
                <span className="audience-choice-text">{item.text}</span>
              </li>
            ))}
          </ol>
        </>
      ) : (
        <p className="audience-hint">{t('audience.openQuestion')}</p>
      )}
      <AnswerCount answered={quiz.answered} present={quiz.present} />
    </section>
  )
}

export function AudienceResults({ quiz, question }: QuizProps) {
  const { t, lang } = useI18n()
  const results = quiz.results
  // Revealed: the right choices are public now. After a reload the screen has the question as
  // `welcome` gives it (right answers included once revealed) but not the distribution.
  const right = results?.correct_choice_ids ?? question.choices.filter((c) => c.correct).map((c) => c.id)
  const scored = right.length > 0
  const count = (id: string) => results?.distribution.find((d) => d.choice_id === id)?.count ?? 0
  const most = Math.max(1, ...question.choices.map((c) => count(c.id)))
  // Only now, revealed: from the results, or from the question as `welcome` gives it after a reload.
  const solution = results?.solution ?? question.solution
  return (
    <section className="audience-quiz" aria-labelledby="audience-prompt">
      <QuestionHead quiz={quiz}>
        {results && <p className="audience-answered">{t('quiz.answeredCount', { count: results.answered })}</p>}
      </QuestionHead>
      <h1 id="audience-prompt" className="audience-prompt">
        {question.prompt}
      </h1>
      <QuizImage src={question.image} kind="question" alt={t('quiz.questionImage')} />
      {question.choices.length > 0 ? (
        <ol className="audience-choices revealed" aria-label={t('quiz.distribution')}>
          {question.choices.map((choice, i) => {
            const correct = right.includes(choice.id)
            const tone = !scored ? '' : correct ? ' correct' : ' wrong'
            return (
              <li
                key={choice.id}
                className={`audience-choice${tone}${choice.image ? ' with-image' : ''}`}
                data-letter={LETTERS[i]}
              >
                <QuizImage src={choice.image} kind="choice" alt="" />
                <span className="choice-letter" aria-hidden="true">
                  {LETTERS[i]}
                </span>
                <span className="audience-choice-text">
                  {choiceText(question, choice, t)}
                  {correct && <span className="audience-mark">✓ {t('audience.rightAnswer')}</span>}
                </span>
                {results && (
                  <>
                    <span className="audience-count">{t('audience.votes', { count: count(choice.id) })}</span>
                    <span className="audience-bar" aria-hidden="true">
                      <span style={{ transform: `scaleX(${count(choice.id) / most})` }} />
                    </span>
                  </>
                )}
              </li>
            )
          })}
        </ol>
      ) : solution && question.kind === 'ordering' ? (
        <RightOrder question={question} solution={solution} count={results ? count : null} />
      ) : solution ? (
        <>
          <p className="audience-solution">
            <span className="audience-mark">✓ {t('audience.rightAnswer')}</span>
            <strong>{solutionText(solution, t, lang)}</strong>
          </p>
          {/* Numbers given are not personal; typed words may be, and stay off the screen. */}
          {question.kind === 'numeric' && <AudienceTopAnswers answers={results?.top_answers ?? []} />}
        </>
      ) : (
        <p className="audience-hint">{t('audience.openQuestion')}</p>
      )}
    </section>
  )
}

/** The items in their right order, each with how many put it there. */
function RightOrder({
  question,
  solution,
  count,
}: {
  question: QuestionView
  solution: Solution
  count: ((id: string) => number) | null
}) {
  const { t } = useI18n()
  const items = rightOrder(question, solution)
  const most = Math.max(1, ...items.map((item) => count?.(item.id) ?? 0))
  return (
    <>
      <p className="audience-hint">{t('quiz.rightOrder')}</p>
      <ol className="audience-choices audience-items revealed" aria-label={t('audience.rightAnswer')}>
        {items.map((item, i) => (
          <li key={item.id} className="audience-choice correct">
            <span className="choice-letter" aria-hidden="true">
              {i + 1}
            </span>
            <span className="audience-choice-text">{item.text}</span>
            {count && (
              <>
                <span className="audience-count">{t('audience.inPlace', { count: count(item.id) })}</span>
                <span className="audience-bar" aria-hidden="true">
                  <span style={{ transform: `scaleX(${count(item.id) / most})` }} />
                </span>
              </>
            )}
          </li>
        ))}
      </ol>
    </>
  )
}

function AudienceTopAnswers({ answers }: { answers: AnswerCount[] }) {
  const { t } = useI18n()
  if (answers.length === 0) return null
  const most = Math.max(1, ...answers.map((a) => a.count))
  return (
    <ol className="audience-choices audience-top revealed" aria-label={t('quiz.topAnswers')}>
      {answers.slice(0, 6).map((a, i) => (
        <li key={i} className={a.correct ? 'audience-choice correct' : 'audience-choice wrong'}>
          <span className="audience-choice-text">
            {a.text}
            {a.correct && <span className="audience-mark">✓ {t('audience.rightAnswer')}</span>}
          </span>
          <span className="audience-count">{t('audience.votes', { count: a.count })}</span>
          <span className="audience-bar" aria-hidden="true">
            <span style={{ transform: `scaleX(${a.count / most})` }} />
          </span>
        </li>
      ))}
    </ol>
  )
}

/** Before the first question: the quiz's title, and how to join if the presenter shows it. */
export function QuizIntro({ quiz, join }: { quiz: QuizState; join: ReactNode }) {
  const { t } = useI18n()
  return (
    <div className={join ? 'audience-intro with-join' : 'audience-intro'}>
      <section className="audience-intro-text" aria-labelledby="audience-quiz-title">
        <p className="audience-eyebrow">{t('quiz.quiz')}</p>
        <h1 id="audience-quiz-title" className="audience-prompt">
          {quiz.title}
        </h1>
        <p className="audience-hint">{t('quizzes.questions', { count: quiz.count })}</p>
        <p className="audience-hint">{t('audience.getReady')}</p>
      </section>
      {join}
    </div>
  )
}

function QuestionHead({ quiz, children }: { quiz: QuizState; children: ReactNode }) {
  const { t } = useI18n()
  return (
    <header className="audience-quiz-head">
      <p className="audience-eyebrow">
        {quiz.title} · {t('quiz.questionOf', { n: (quiz.index ?? 0) + 1, count: quiz.count })}
      </p>
      {children}
    </header>
  )
}

/** How many of those online have answered, growing as answers come in. */
function AnswerCount({ answered, present }: { answered: number; present: number }) {
  const { t } = useI18n()
  return (
    <div className="audience-progress">
      <p>
        <strong>{answered}</strong> / {present} <span>{t('audience.answered', { count: answered })}</span>
      </p>
      <span className="audience-progress-bar" aria-hidden="true">
        <span style={{ transform: `scaleX(${present ? Math.min(1, answered / present) : 0})` }} />
      </span>
    </div>
  )
}
