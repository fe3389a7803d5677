// A new capsule, blank or a copy of the sample in the trainer's language, opened in the editor.
import { useEffect, useId, useState, type FormEvent } from 'react'
import { api, ApiError } from '../api'
import { useI18n } from '../i18n'
import { navigate } from '../router'
import { Alert } from '../ui/Alert'
import { Dialog } from '../ui/Dialog'
import { Field } from '../ui/Field'

const STARTS = ['blank', 'sample'] as const

export function NewCapsuleDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const { t, lang } = useI18n()
  const name = useId()
  const [title, setTitle] = useState('')
  const [start, setStart] = useState<(typeof STARTS)[number]>('blank')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    if (open) setError(null)
  }, [open])

  const create = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const capsule = await api.createCapsule(start === 'sample' ? { title, sample: lang } : { title })
      navigate(`/capsules/${capsule.id}/edit`)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.generic'))
      setBusy(false)
    }
  }

  return (
    <Dialog open={open} title={t('capsules.new')} onClose={onClose}>
      <form onSubmit={create}>
        {error && <Alert>{error}</Alert>}
        <Field label={t('capsules.newName')}>
          <input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={200} required autoFocus />
        </Field>
        <fieldset className="mode-choice">
          <legend>{t('capsules.startFrom')}</legend>
          {STARTS.map((option) => (
            <label key={option} className="mode-option">
              <input
                type="radio"
                name={name}
                value={option}
                checked={start === option}
                onChange={() => setStart(option)}
                aria-describedby={`${name}-${option}`}
              />
              <span>
                <span className="mode-name">{t(`capsules.${option}`)}</span>
                <span className="muted small" id={`${name}-${option}`}>
                  {t(`capsules.${option}Hint`)}
                </span>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button primary" disabled={busy || !title.trim()}>
            {busy ? t('capsules.creating') : t('capsules.create')}
          </button>
        </div>
      </form>
    </Dialog>
  )
}
