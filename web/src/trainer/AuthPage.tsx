// Sign up or log in. The server answers with an HttpOnly cookie; nothing is stored here but
// the fact that this browser has an account (to open on the log-in form next time).
import { useState, type FormEvent } from 'react'
import { api, ApiError } from '../api'
import type { User } from '../api-types/User'
import { useI18n } from '../i18n'
import { ErrorCode } from '../protocol/ErrorCode'
import { navigate } from '../router'
import { Alert } from '../ui/Alert'
import { Field } from '../ui/Field'
import { LanguageSwitch } from '../ui/LanguageSwitch'
import { Logo } from '../ui/Logo'

const KNOWN = 'pratico.hasAccount'

export function preferredAuthMode(path: string): 'login' | 'signup' {
  if (path === '/signup') return 'signup'
  if (path === '/login') return 'login'
  return localStorage.getItem(KNOWN) ? 'login' : 'signup'
}

export function AuthPage({ mode, onAuthenticated }: { mode: 'login' | 'signup'; onAuthenticated(user: User): void }) {
  const { t, lang } = useI18n()
  const [name, setName] = useState('')
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const signup = mode === 'signup'

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const { user } = signup
        ? await api.signup({ name, email, password, language: lang })
        : await api.login({ email, password })
      localStorage.setItem(KNOWN, '1')
      onAuthenticated(user)
    } catch (e) {
      setError(authError(e, t))
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="auth">
      <section className="auth-hero" aria-labelledby="hero-title">
        <div className="auth-brand">
          <Logo size={40} />
          <span>Pratico Live</span>
        </div>
        <h1 id="hero-title">{t('auth.heroTitle')}</h1>
        <ul className="auth-points">
          <li>{t('auth.point1')}</li>
          <li>{t('auth.point2')}</li>
          <li>{t('auth.point3')}</li>
        </ul>
      </section>
      <main className="auth-main" id="main" tabIndex={-1}>
        <div className="auth-lang">
          <LanguageSwitch />
        </div>
        <form className="auth-card" onSubmit={submit}>
          <h2>{signup ? t('auth.signupTitle') : t('auth.loginTitle')}</h2>
          {error && <Alert>{error}</Alert>}
          {signup && (
            <Field label={t('auth.name')}>
              <input
                value={name}
                onChange={(e) => setName(e.target.value)}
                required
                maxLength={64}
                autoComplete="name"
              />
            </Field>
          )}
          <Field label={t('auth.email')}>
            <input
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              required
              autoComplete="email"
            />
          </Field>
          <Field label={t('auth.password')} hint={signup ? t('auth.passwordHint') : undefined}>
            <input
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              required
              minLength={signup ? 8 : undefined}
              autoComplete={signup ? 'new-password' : 'current-password'}
            />
          </Field>
          <button type="submit" className="button primary large" disabled={busy}>
            {signup ? t('auth.signup') : t('auth.login')}
          </button>
          <p className="auth-switch">
            {signup ? t('auth.haveAccount') : t('auth.noAccount')}{' '}
            <button type="button" className="link-button" onClick={() => navigate(signup ? '/login' : '/signup')}>
              {signup ? t('auth.login') : t('auth.signup')}
            </button>
          </p>
        </form>
      </main>
    </div>
  )
}

function authError(error: unknown, t: ReturnType<typeof useI18n>['t']): string {
  if (!(error instanceof ApiError)) return t('error.generic')
  switch (error.code) {
    case ErrorCode.invalid_credentials:
      return t('auth.wrongCredentials')
    case ErrorCode.email_taken:
      return t('auth.emailTaken')
    case ErrorCode.validation_failed:
      return error.message
    default:
      return error.status === 0 ? t('error.offline') : t('error.generic')
  }
}
