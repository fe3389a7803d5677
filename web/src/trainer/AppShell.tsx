// The trainer's frame: brand, sections, language, account.
import { useEffect, useRef, useState, type ReactNode } from 'react'
import type { User } from '../api-types/User'
import { useI18n } from '../i18n'
import { Link, usePath } from '../router'
import { ConfirmDialog } from '../ui/Dialog'
import { LanguageSwitch } from '../ui/LanguageSwitch'
import { Logo } from '../ui/Logo'
import { PasswordDialog } from './PasswordDialog'

const SECTIONS = [
  { to: '/capsules', key: 'nav.capsules' },
  { to: '/quizzes', key: 'nav.quizzes' },
  { to: '/sessions', key: 'nav.sessions' },
] as const

type Logout = (everywhere: boolean) => void

export function AppShell({ user, onLogout, children }: { user: User; onLogout: Logout; children: ReactNode }) {
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
          <AccountMenu user={user} onLogout={onLogout} />
        </div>
      </header>
      <main className="page" id="main" tabIndex={-1} ref={main}>
        {children}
      </main>
    </div>
  )
}

/** The trainer's name, opening their account's actions: password, log out (here, everywhere). */
function AccountMenu({ user, onLogout }: { user: User; onLogout: Logout }) {
  const { t } = useI18n()
  const menu = useRef<HTMLDetailsElement>(null)
  const [dialog, setDialog] = useState<'password' | 'everywhere' | null>(null)
  const pick = (then: () => void) => () => {
    if (menu.current) menu.current.open = false
    then()
  }
  return (
    <>
      <details className="account-menu" ref={menu}>
        <summary className="button ghost" title={user.email} aria-label={`${t('account.menu')}: ${user.name}`}>
          <span className="user-name">{user.name}</span>
        </summary>
        <div className="account-menu-items">
          <button type="button" className="button ghost" onClick={pick(() => setDialog('password'))}>
            {t('account.changePassword')}
          </button>
          <button type="button" className="button ghost" onClick={pick(() => onLogout(false))}>
            {t('auth.logout')}
          </button>
          <button type="button" className="button ghost" onClick={pick(() => setDialog('everywhere'))}>
            {t('account.logoutAll')}
          </button>
        </div>
      </details>
      <PasswordDialog open={dialog === 'password'} onClose={() => setDialog(null)} />
      <ConfirmDialog
        open={dialog === 'everywhere'}
        title={t('account.logoutAll')}
        message={t('account.logoutAllConfirm')}
        confirm={t('account.logoutAll')}
        danger
        onConfirm={() => onLogout(true)}
        onCancel={() => setDialog(null)}
      />
    </>
  )
}
