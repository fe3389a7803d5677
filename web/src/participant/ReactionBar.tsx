// The reactions the trainer offers, one tap each. Lit for a moment once the server took it;
// all resting for a few seconds when sent too fast (the server takes 5 in any 5 seconds).
import { useEffect, useRef, useState } from 'react'
import { useI18n } from '../i18n'
import { liveErrorText } from '../live/errors'
import { REACTION_EMOJI, reactionLabel } from '../live/reactions'
import type { LiveError } from '../live/socket'
import type { ClientMessage } from '../protocol/ClientMessage'
import { ErrorCode } from '../protocol/ErrorCode'
import type { Reaction } from '../protocol/Reaction'

const LIT_MS = 700
const REST_MS = 5_000

interface ReactionBarProps {
  offered: Reaction[]
  request(message: ClientMessage): Promise<LiveError | null>
}

export function ReactionBar({ offered, request }: ReactionBarProps) {
  const { t } = useI18n()
  const [lit, setLit] = useState<{ reaction: Reaction; n: number } | null>(null)
  const [resting, setResting] = useState(false)
  const [said, setSaid] = useState('')
  const timers = useRef<number[]>([])
  const sentCount = useRef(0)
  useEffect(() => () => timers.current.forEach((id) => window.clearTimeout(id)), [])
  const later = (run: () => void, ms: number) => timers.current.push(window.setTimeout(run, ms))

  const react = async (reaction: Reaction) => {
    const error = await request({ type: 'react', reaction })
    if (!error) {
      const n = ++sentCount.current
      setLit({ reaction, n })
      setSaid(t('reactions.sent', { reaction: t(reactionLabel(reaction)) }))
      later(() => setLit((current) => (current?.n === n ? null : current)), LIT_MS)
    } else if (error.code === ErrorCode.rate_limited) {
      setResting(true)
      setSaid(t('reactions.wait'))
      later(() => {
        setResting(false)
        setSaid('')
      }, REST_MS)
    } else {
      setSaid(liveErrorText(t, error.code, error.message))
    }
  }

  if (offered.length === 0) return null
  return (
    <section className="reaction-bar" aria-label={t('reactions.bar')}>
      <div className="reaction-buttons">
        {offered.map((reaction) => (
          <button
            key={reaction}
            type="button"
            className={lit?.reaction === reaction ? 'reaction-button lit' : 'reaction-button'}
            aria-label={t(reactionLabel(reaction))}
            title={t(reactionLabel(reaction))}
            disabled={resting}
            onClick={() => void react(reaction)}
          >
            {/* Keyed by the tap: the pop replays on every reaction sent. */}
            <span key={lit?.reaction === reaction ? lit.n : 0} aria-hidden="true">
              {REACTION_EMOJI[reaction]}
            </span>
          </button>
        ))}
      </div>
      <p className={resting ? 'reaction-said resting' : 'reaction-said sr-only'} role="status">
        {said}
      </p>
    </section>
  )
}
