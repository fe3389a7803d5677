// Changing one's password: every other log-in of the account ends (the server closes its
// sockets); this one stays.
import { useEffect, useState, type FormEvent } from 'react'
import { api, ApiError } from '../api'
import { ErrorCode } from '../protocol/ErrorCode'
import { useI18n } from '../i18n'
import { Alert } from '../ui/Alert'
import { Dialog } from '../ui/Dialog'
import { Field } from '../ui/Field'

export function PasswordDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t } = useI18n()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState(false)

  useEffect(() => {
    if (!open) return
    setCurrent('')
    setNext('')
    setError(null)
    setDone(false)
  }, [open])

  const change = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await api.changePassword({ current_password: current, new_password: next })
      setDone(true)
    } catch (e) {
      if (!(e instanceof ApiError)) setError(t('error.generic'))
      else if (e.code === ErrorCode.invalid_credentials) setError(t('account.wrongPassword'))
      else if (e.code === ErrorCode.validation_failed) setError(t('auth.passwordHint'))
      else setError(e.status === 0 ? t('error.offline') : e.message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Dialog open={open} title={t('account.changePassword')} onClose={onClose}>
      {done ? (
        <>
          <Alert tone="success">{t('account.passwordChanged')}</Alert>
          <div className="dialog-actions">
            <button type="button" className="button primary" onClick={onClose}>
              {t('common.close')}
            </button>
          </div>
        </>
      ) : (
        <form onSubmit={change}>
          {error && <Alert>{error}</Alert>}
          <Field label={t('account.currentPassword')}>
            <input
              type="password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              required
              autoFocus
              autoComplete="current-password"
            />
          </Field>
          <Field label={t('account.newPassword')} hint={t('auth.passwordHint')}>
            <input
              type="password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              required
              minLength={8}
              autoComplete="new-password"
            />
          </Field>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="button primary" disabled={busy}>
              {t('account.changePassword')}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  )
}
