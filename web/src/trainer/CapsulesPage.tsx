// The trainer's capsules: create or import, browse with a picture of the first page, launch.
import { useState } from 'react'
import { api } from '../api'
import type { Capsule } from '../api-types/Capsule'
import { LazyThumbnail } from '../canvas'
import { useI18n } from '../i18n'
import { Link } from '../router'
import { Alert } from '../ui/Alert'
import { useLoad } from '../ui/useLoad'
import { CapsuleImport } from './CapsuleImport'
import { LaunchDialog } from './LaunchDialog'
import { NewCapsuleDialog } from './NewCapsuleDialog'

export function CapsulesPage() {
  const { t } = useI18n()
  const capsules = useLoad(api.capsules, [])
  const [launching, setLaunching] = useState<Capsule | null>(null)
  const [creating, setCreating] = useState(false)
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t('capsules.title')}</h1>
          <p className="muted">{t('capsules.intro')}</p>
        </div>
        <button type="button" className="button primary" onClick={() => setCreating(true)}>
          {t('capsules.new')}
        </button>
      </div>
      <CapsuleImport onImported={(capsule) => capsules.setData([capsule, ...(capsules.data ?? [])])} />
      {capsules.error && <Alert>{t('error.generic')}</Alert>}
      {capsules.data?.length === 0 && <p className="empty">{t('capsules.empty')}</p>}
      <ul className="card-grid" aria-label={t('capsules.title')}>
        {capsules.data?.map((capsule) => (
          <li key={capsule.id}>
            <CapsuleCard capsule={capsule} onLaunch={() => setLaunching(capsule)} />
          </li>
        ))}
      </ul>
      <LaunchDialog capsule={launching} onClose={() => setLaunching(null)} />
      <NewCapsuleDialog open={creating} onClose={() => setCreating(false)} />
    </>
  )
}

function CapsuleCard({ capsule, onLaunch }: { capsule: Capsule; onLaunch(): void }) {
  const { t, dateTime } = useI18n()
  const full = useLoad(() => api.capsule(capsule.id), [capsule.id, capsule.updated_at])
  const first = capsule.pages[0]
  return (
    <article className="card capsule-card">
      <Link to={`/capsules/${capsule.id}`} className="thumb" tabIndex={-1} aria-hidden="true">
        {full.data?.snapshot && first && <LazyThumbnail snapshot={full.data.snapshot} pageId={first.id} />}
      </Link>
      <div className="card-body">
        <h2 className="card-title">
          <Link to={`/capsules/${capsule.id}`} title={capsule.title}>
            {capsule.title}
          </Link>
        </h2>
        <p className="muted">
          {t('capsules.pages', { count: capsule.pages.length })} ·{' '}
          {t('capsules.updated', { date: dateTime(capsule.updated_at) })}
        </p>
      </div>
      <div className="card-actions">
        <button type="button" className="button primary" onClick={onLaunch}>
          {t('launch.button')}
        </button>
        <Link to={`/capsules/${capsule.id}`} className="button">
          {t('capsules.open')}
        </Link>
      </div>
    </article>
  )
}
