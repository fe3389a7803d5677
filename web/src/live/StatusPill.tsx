// Whether the live connection works: a colour and a word, announced when it changes.
import { useI18n } from '../i18n'
import type { LiveStatus } from './socket'

export function StatusPill({ status }: { status: LiveStatus }) {
  const { t } = useI18n()
  const label = {
    connecting: t('live.connecting'),
    open: t('live.online'),
    reconnecting: t('live.reconnecting'),
    stopped: t('live.offline'),
  }[status]
  return (
    <span className={`pill pill-${status}`} role="status">
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  )
}
