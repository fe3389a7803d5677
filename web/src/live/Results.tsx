// What a question's reveal shows: the answers' distribution (for ordering, how many put each
// item in its right place) and the ranking so far.
import { useI18n } from '../i18n'
import type { QuestionView } from '../protocol/QuestionView'
import type { Standing } from '../protocol/Standing'
import { LazyBarChart } from '../ui/LazyBarChart'
import { LETTERS } from './QuestionCard'
import { fullName, type QuizResults } from './room'
import { choiceText } from './choiceText'
import { rightOrder } from './RightAnswer'

export function Distribution({ question, results }: { question: QuestionView; results: QuizResults }) {
  const { t } = useI18n()
  if (question.kind === 'ordering' && results.solution) {
    const bars = rightOrder(question, results.solution).map((item, i) => ({
      label: `${i + 1}. ${item.text}`,
      value: results.distribution.find((d) => d.choice_id === item.id)?.count ?? 0,
      tone: 'good' as const,
    }))
    return <LazyBarChart title={t('quiz.inRightPlace', { count: results.answered })} bars={bars} />
  }
  if (question.choices.length === 0) {
    return <p className="muted">{t('quiz.answeredCount', { count: results.answered })}</p>
  }
  const scored = results.correct_choice_ids.length > 0
  const bars = question.choices.map((choice, i) => ({
    label: `${LETTERS[i]}. ${choiceText(question, choice, t)}`,
    value: results.distribution.find((d) => d.choice_id === choice.id)?.count ?? 0,
    tone: !scored
      ? ('brand' as const)
      : results.correct_choice_ids.includes(choice.id)
        ? ('good' as const)
        : ('muted' as const),
  }))
  return <LazyBarChart title={t('quiz.distribution')} bars={bars} />
}

interface LeaderboardProps {
  standings: Standing[]
  /** The viewer's own id, highlighted. */
  you?: string
  limit?: number
}

export function Leaderboard({ standings, you, limit = 10 }: LeaderboardProps) {
  const { t } = useI18n()
  if (standings.length === 0) return null
  return (
    <section className="leaderboard" aria-label={t('quiz.leaderboard')}>
      <h3>{t('quiz.leaderboard')}</h3>
      <ol>
        {standings.slice(0, limit).map((s) => (
          <li key={s.participant_id} className={s.participant_id === you ? 'me' : undefined}>
            <span className="rank">{s.rank}</span>
            <span className="name">{fullName(s)}</span>
            <span className="score">{s.score}</span>
          </li>
        ))}
      </ol>
    </section>
  )
}
