// A full-screen message: room locked, removed, session ended, not found.
import type { ReactNode } from 'react'
import { LanguageSwitch } from '../ui/LanguageSwitch'
import { Logo } from '../ui/Logo'

interface StatusScreenProps {
  title: string
  children?: ReactNode
  tone?: 'neutral' | 'warning' | 'done'
  action?: { label: string; run(): void }
}

export function StatusScreen({ title, children, tone = 'neutral', action }: StatusScreenProps) {
  return (
    <main className={`status-screen status-${tone}`} id="main" tabIndex={-1}>
      <div className="status-card">
        <Logo size={40} />
        <h1>{title}</h1>
        {children && <div className="status-text">{children}</div>}
        {action && (
          <button type="button" className="button primary large" onClick={action.run}>
            {action.label}
          </button>
        )}
        <LanguageSwitch />
      </div>
    </main>
  )
}
