// A message that screen readers announce: errors as alerts, the rest politely.
import type { ReactNode } from 'react'
import { useI18n } from '../i18n'

interface AlertProps {
  tone?: 'error' | 'info' | 'success'
  children: ReactNode
  onDismiss?(): void
}

export function Alert({ tone = 'error', children, onDismiss }: AlertProps) {
  const { t } = useI18n()
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      <div className="alert-text">{children}</div>
      {onDismiss && (
        <button type="button" className="icon-button" onClick={onDismiss} aria-label={t('common.dismiss')}>
          ×
        </button>
      )}
    </div>
  )
}
