// The right answer of a numeric, short or ordering question, as the reveal shows it (choice
// questions mark their choices instead). Given the participant's own answer, it says it too, and
// which items they had in the right place.
import type { Language, Translate } from '../i18n'
import { useI18n } from '../i18n'
import type { Answer } from '../protocol/Answer'
import type { QuestionView } from '../protocol/QuestionView'
import type { Solution } from '../protocol/Solution'
import { formatNumber } from './numbers'

/** A numeric or short solution in words: `42 (± 2)`, `from 10 to 20`, `Paris · Lutèce`. */
export function solutionText(solution: Solution, t: Translate, lang: Language): string {
  const n = (x: number) => formatNumber(x, lang)
  if (solution.accepted && solution.accepted.length > 0) return solution.accepted.join(' · ')
  if (solution.answer !== undefined)
    return solution.tolerance
      ? t('quiz.numberWithin', { answer: n(solution.answer), tolerance: n(solution.tolerance) })
      : n(solution.answer)
  if (solution.min !== undefined && solution.max !== undefined)
    return t('quiz.numberRange', { min: n(solution.min), max: n(solution.max) })
  return ''
}

/** The items' texts in the solution's order. */
export function rightOrder(question: QuestionView, solution: Solution): { id: string; text: string }[] {
  return (solution.item_ids ?? []).map((id) => ({
    id,
    text: question.items?.find((item) => item.id === id)?.text ?? id,
  }))
}

/** What a participant answered, in words (ordering answers are shown against the right order). */
export function answerText(answer: Answer, lang: Language): string | null {
  if ('number' in answer) return formatNumber(answer.number, lang)
  if ('text' in answer) return answer.text
  return null
}

interface RightAnswerProps {
  question: QuestionView
  solution: Solution | undefined
  /** The viewer's own answer, when they are a participant who answered. */
  mine?: Answer | null
}

export function RightAnswer({ question, solution, mine = null }: RightAnswerProps) {
  const { t, lang } = useI18n()
  if (!solution) return null
  const own = mine ? answerText(mine, lang) : null
  if (question.kind === 'ordering') {
    const placed = mine && 'item_ids' in mine ? mine.item_ids : null
    return (
      <div className="right-answer">
        <p className="right-answer-label">{t('quiz.rightOrder')}</p>
        <ol className="right-order">
          {rightOrder(question, solution).map((item, i) => {
            const yoursHere = placed?.[i] === item.id
            return (
              <li key={item.id} className={yoursHere ? 'in-place' : undefined}>
                <span className="ordering-rank" aria-hidden="true">
                  {i + 1}
                </span>
                <span className="ordering-text">{item.text}</span>
                {yoursHere && <span className="in-place-mark">✓ {t('quiz.youPlacedIt')}</span>}
              </li>
            )
          })}
        </ol>
      </div>
    )
  }
  const count = solution.accepted?.length ?? 1
  return (
    <div className="right-answer">
      <p>
        {t('quiz.correctAnswer', { count })} <strong>{solutionText(solution, t, lang)}</strong>
      </p>
      {own !== null && <p className="muted">{t('quiz.yourAnswerWas', { answer: own })}</p>}
    </div>
  )
}
