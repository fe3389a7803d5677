// One capsule: every page as a picture, rename, edit, launch, duplicate, export, delete.
import { useState, type FormEvent } from 'react'
import { api, ApiError } from '../api'
import { LazyThumbnail } from '../canvas'
import { useI18n } from '../i18n'
import { Link, navigate } from '../router'
import { Alert } from '../ui/Alert'
import { ConfirmDialog } from '../ui/Dialog'
import { useLoad } from '../ui/useLoad'
import { LaunchDialog } from './LaunchDialog'

export function CapsulePage({ id }: { id: string }) {
  const { t } = useI18n()
  const capsule = useLoad(() => api.capsule(id), [id])
  const [title, setTitle] = useState<string | null>(null)
  const [launching, setLaunching] = useState(false)
  const [deleting, setDeleting] = useState(false)
  const [error, setError] = useState<string | null>(null)

  if (capsule.error) return <Alert>{t('capsules.notFound')}</Alert>
  if (!capsule.data) return <p role="status">{t('common.loading')}</p>
  const data = capsule.data

  const rename = async (event: FormEvent) => {
    event.preventDefault()
    if (title === null) return
    try {
      capsule.setData(await api.renameCapsule(id, title))
      setTitle(null)
      setError(null)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.generic'))
    }
  }

  const duplicate = async () => {
    try {
      const copy = await api.duplicateCapsule(id, t('capsules.copyTitle', { title: data.title }))
      navigate(`/capsules/${copy.id}`)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.generic'))
    }
  }

  const remove = async () => {
    await api.deleteCapsule(id)
    navigate('/capsules')
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to="/capsules">← {t('capsules.title')}</Link>
      </p>
      <div className="page-head">
        <form className="title-form" onSubmit={rename}>
          <label className="sr-only" htmlFor="capsule-title">
            {t('capsules.titleLabel')}
          </label>
          <input
            id="capsule-title"
            className="title-input"
            value={title ?? data.title}
            onChange={(e) => setTitle(e.target.value)}
            maxLength={200}
          />
          {title !== null && title !== data.title && (
            <button type="submit" className="button">
              {t('common.save')}
            </button>
          )}
        </form>
        <div className="head-actions">
          <Link to={`/capsules/${id}/edit`} className="button">
            {t('capsules.edit')}
          </Link>
          <button type="button" className="button primary" onClick={() => setLaunching(true)}>
            {t('launch.button')}
          </button>
          <button type="button" className="button" onClick={duplicate}>
            {t('capsules.duplicate')}
          </button>
          <a className="button" href={api.capsuleExportUrl(id)} download>
            {t('capsules.export')}
          </a>
          <button type="button" className="button danger-outline" onClick={() => setDeleting(true)}>
            {t('common.delete')}
          </button>
        </div>
      </div>
      {error && <Alert onDismiss={() => setError(null)}>{error}</Alert>}
      <h2 className="section-title">{t('capsules.pages', { count: data.pages.length })}</h2>
      <ol className="page-grid">
        {data.pages.map((page, i) => (
          <li key={page.id} className="card page-card">
            <div className="thumb">{data.snapshot && <LazyThumbnail snapshot={data.snapshot} pageId={page.id} />}</div>
            <p>
              <span className="page-number">{i + 1}</span> {page.name}
            </p>
            <p className="muted small">{t('capsules.shapes', { count: page.shape_count })}</p>
          </li>
        ))}
      </ol>
      <LaunchDialog capsule={launching ? data : null} onClose={() => setLaunching(false)} />
      <ConfirmDialog
        open={deleting}
        title={t('capsules.deleteTitle')}
        message={t('capsules.deleteMessage', { title: data.title })}
        confirm={t('common.delete')}
        danger
        onConfirm={remove}
        onCancel={() => setDeleting(false)}
      />
    </>
  )
}
