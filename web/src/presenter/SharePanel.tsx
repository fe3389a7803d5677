// The link participants open: copy it, show it as a QR code (large, for the projector),
// rename it, and whether the audience screen shows it.
import { useState, type FormEvent } from 'react'
import { useI18n } from '../i18n'
import { Dialog } from '../ui/Dialog'
import { QrCode } from '../ui/QrCode'
import { Switch } from '../ui/Switch'

interface SharePanelProps {
  link: string
  name: string
  onRename(name: string): Promise<boolean>
  /** The join panel of the audience screen: shown or not. */
  joinInfo: { shown: boolean; onChange(shown: boolean): void }
}

export function SharePanel({ link, name, onRename, joinInfo }: SharePanelProps) {
  const { t } = useI18n()
  const [copied, setCopied] = useState(false)
  const [big, setBig] = useState(false)
  const [renaming, setRenaming] = useState<string | null>(null)

  const copy = async () => {
    await navigator.clipboard?.writeText(link)
    setCopied(true)
    window.setTimeout(() => setCopied(false), 2000)
  }
  const rename = async (event: FormEvent) => {
    event.preventDefault()
    if (renaming && (await onRename(renaming.trim()))) setRenaming(null)
  }

  return (
    <section className="card share" aria-labelledby="share-title">
      <h2 id="share-title" className="sr-only">
        {t('share.title')}
      </h2>
      <button type="button" className="qr-button" onClick={() => setBig(true)} aria-label={t('share.enlarge')}>
        <QrCode text={link} label={t('share.qr', { link })} size={96} />
      </button>
      <div className="share-body">
        <p className="eyebrow">{t('share.join')}</p>
        <a className="share-link" href={link} target="_blank" rel="noreferrer" data-testid="room-link">
          {link.replace(/^https?:\/\//, '')}
        </a>
        <div className="share-actions">
          <button type="button" className="button small" onClick={copy}>
            {copied ? t('share.copied') : t('share.copy')}
          </button>
          <button type="button" className="button small" onClick={() => setRenaming(name)}>
            {t('share.rename')}
          </button>
        </div>
        <span className="sr-only" role="status">
          {copied ? t('share.copied') : ''}
        </span>
      </div>
      <div className="share-screen">
        <Switch
          label={t('audience.joinInfo')}
          checked={joinInfo.shown}
          onChange={joinInfo.onChange}
          on={t('audience.joinShown')}
          off={t('audience.joinHidden')}
        />
      </div>
      {renaming !== null && (
        <form className="rename-form" onSubmit={rename}>
          <label className="field">
            <span className="field-label">{t('share.newName')}</span>
            <input
              value={renaming}
              onChange={(e) => setRenaming(e.target.value.toLowerCase())}
              pattern="[a-z0-9-]{3,48}"
              title={t('share.nameRule')}
              required
              autoFocus
            />
            <span className="field-hint">{t('share.nameRule')}</span>
          </label>
          <div className="share-actions">
            <button type="button" className="button small" onClick={() => setRenaming(null)}>
              {t('common.cancel')}
            </button>
            <button type="submit" className="button small primary">
              {t('common.save')}
            </button>
          </div>
        </form>
      )}
      <Dialog open={big} title={t('share.join')} onClose={() => setBig(false)} wide>
        <div className="big-share">
          <QrCode text={link} label={t('share.qr', { link })} size={360} />
          <p className="big-link">{link.replace(/^https?:\/\//, '')}</p>
        </div>
      </Dialog>
    </section>
  )
}
