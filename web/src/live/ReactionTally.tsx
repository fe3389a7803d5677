// The reactions received: a count per reaction, and what just came floating up from it. On the
// presenter and on the audience screen (the trainer's connections are the only ones told).
import type { CSSProperties } from 'react'
import { useI18n } from '../i18n'
import type { Reaction } from '../protocol/Reaction'
import { REACTION_EMOJI, REACTIONS, reactionLabel, type ReactionCounts } from './reactions'
import { useReactionBursts } from './useReactionBursts'

interface ReactionTallyProps {
  offered: readonly Reaction[]
  counts: ReactionCounts
  className?: string
}

export function ReactionTally({ offered, counts, className }: ReactionTallyProps) {
  const { t } = useI18n()
  const bursts = useReactionBursts(counts)
  // Those offered, and any no longer offered that came before.
  const listed = REACTIONS.filter((r) => offered.includes(r) || (counts[r] ?? 0) > 0)
  if (listed.length === 0) return null
  return (
    <ul className={className ? `reaction-tally ${className}` : 'reaction-tally'} aria-label={t('reactions.live')}>
      {listed.map((reaction) => (
        <li
          key={reaction}
          data-reaction={reaction}
          title={t(reactionLabel(reaction))}
          className={offered.includes(reaction) ? undefined : 'withdrawn'}
        >
          <span className="reaction-emoji" aria-hidden="true">
            {REACTION_EMOJI[reaction]}
          </span>
          <span className="sr-only">{t(reactionLabel(reaction))}</span>
          <span className="reaction-count">{counts[reaction] ?? 0}</span>
          {bursts
            .filter((b) => b.reaction === reaction)
            .map((b) => (
              <span
                key={b.id}
                className="reaction-float"
                aria-hidden="true"
                style={{ '--drift': b.drift } as CSSProperties}
              >
                {REACTION_EMOJI[reaction]}
              </span>
            ))}
        </li>
      ))}
    </ul>
  )
}
