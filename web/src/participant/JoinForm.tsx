// The join page: the session's title and trainer, and the participant's first and last name.
import { useState, type FormEvent } from 'react'
import type { JoinInfo } from '../api-types/JoinInfo'
import { useI18n } from '../i18n'
import { Alert } from '../ui/Alert'
import { Field } from '../ui/Field'
import { LanguageSwitch } from '../ui/LanguageSwitch'
import { Logo } from '../ui/Logo'

export interface Names {
  first_name: string
  last_name: string
}

interface JoinFormProps {
  info: JoinInfo
  error: string | null
  onJoin(names: Names): void
}

export function JoinForm({ info, error, onJoin }: JoinFormProps) {
  const { t } = useI18n()
  const [first, setFirst] = useState('')
  const [last, setLast] = useState('')
  const submit = (event: FormEvent) => {
    event.preventDefault()
    onJoin({ first_name: first.trim(), last_name: last.trim() })
  }
  return (
    <main className="join" id="main" tabIndex={-1}>
      <form className="join-card" onSubmit={submit}>
        <div className="join-top">
          <Logo size={36} />
          <LanguageSwitch />
        </div>
        <p className="eyebrow">{t('join.invited', { trainer: info.trainer_name })}</p>
        <h1>{info.title}</h1>
        {info.locked && <Alert tone="info">{t('join.lockedHint')}</Alert>}
        {error && <Alert>{error}</Alert>}
        <Field label={t('join.firstName')}>
          <input
            value={first}
            onChange={(e) => setFirst(e.target.value)}
            required
            maxLength={64}
            autoComplete="given-name"
          />
        </Field>
        <Field label={t('join.lastName')}>
          <input
            value={last}
            onChange={(e) => setLast(e.target.value)}
            required
            maxLength={64}
            autoComplete="family-name"
          />
        </Field>
        <button type="submit" className="button primary large" disabled={!first.trim() || !last.trim()}>
          {t('join.submit')}
        </button>
      </form>
    </main>
  )
}
