// The trainer's frame: brand, sections, language, account.
import { useEffect, useRef, type ReactNode } from 'react'
import type { User } from '../api-types/User'
import { useI18n } from '../i18n'
import { Link, usePath } from '../router'
import { LanguageSwitch } from '../ui/LanguageSwitch'
import { Logo } from '../ui/Logo'

const SECTIONS = [
  { to: '/capsules', key: 'nav.capsules' },
  { to: '/quizzes', key: 'nav.quizzes' },
  { to: '/sessions', key: 'nav.sessions' },
] as const

export function AppShell({ user, onLogout, children }: { user: User; onLogout(): void; children: ReactNode }) {
  const { t } = useI18n()
  const path = usePath()
  const main = useRef<HTMLElement>(null)
  const first = useRef(true)
  // After a navigation, focus goes to the new page (screen readers hear its title).
  useEffect(() => {
    if (first.current) first.current = false
    else main.current?.focus()
  }, [path])
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <Link to="/capsules" className="brand">
          <Logo />
          <span>Pratico Live</span>
        </Link>
        <nav aria-label={t('nav.main')} className="topnav">
          {SECTIONS.map((s) => (
            <Link
              key={s.to}
              to={s.to}
              aria-current={path.startsWith(s.to) || (path === '/' && s.to === '/capsules') ? 'page' : undefined}
            >
              {t(s.key)}
            </Link>
          ))}
        </nav>
        <div className="topbar-end">
          <LanguageSwitch />
          <span className="user-name" title={user.email}>
            {user.name}
          </span>
          <button type="button" className="button ghost" onClick={onLogout}>
            {t('auth.logout')}
          </button>
        </div>
      </header>
      <main className="page" id="main" tabIndex={-1} ref={main}>
        {children}
      </main>
    </div>
  )
}
