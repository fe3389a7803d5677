// Time left on a question, from the deadline on this browser's clock.
import { useEffect, useState } from 'react'
import { useI18n } from '../i18n'

export function Countdown({ deadline, total }: { deadline: number; total: number }) {
  const { t } = useI18n()
  const [now, setNow] = useState(Date.now)
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 250)
    return () => window.clearInterval(timer)
  }, [])
  const left = Math.max(0, Math.ceil((deadline - now) / 1000))
  const share = Math.min(1, Math.max(0, (deadline - now) / (total * 1000)))
  return (
    <div
      className={left <= 5 ? 'countdown urgent' : 'countdown'}
      role="timer"
      aria-label={t('quiz.secondsLeft', { count: left })}
    >
      <span className="countdown-value" aria-hidden="true">
        {left}
        <small>s</small>
      </span>
      <span className="countdown-bar" aria-hidden="true">
        <span style={{ transform: `scaleX(${share})` }} />
      </span>
    </div>
  )
}
