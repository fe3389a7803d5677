// A capsule in the editor, over the whole window: the title, whether every change is saved,
// launch, and tldraw with its page menu. Changes save by themselves (the server's sync engine).
import { useEffect, useMemo, useState, useSyncExternalStore, type FormEvent, type MouseEvent } from 'react'
import { api, ApiError } from '../api'
import type { Capsule } from '../api-types/Capsule'
import type { User } from '../api-types/User'
import { LazyCapsuleCanvas } from '../canvas'
import { SaveTracker, type SaveState } from '../canvas/saveState'
import { useI18n } from '../i18n'
import { Link, navigate } from '../router'
import { Alert } from '../ui/Alert'
import { ConfirmDialog } from '../ui/Dialog'
import { LanguageSwitch } from '../ui/LanguageSwitch'
import { useLoad } from '../ui/useLoad'
import { LaunchDialog } from './LaunchDialog'

export function CapsuleEditorPage({ id, user }: { id: string; user: User }) {
  const { t } = useI18n()
  const capsule = useLoad(() => api.capsule(id), [id])
  const tracker = useMemo(() => new SaveTracker(), [])
  useEffect(() => () => tracker.dispose(), [tracker])
  const save = useSyncExternalStore(tracker.subscribe, tracker.getState)
  const [launching, setLaunching] = useState(false)
  const [leaving, setLeaving] = useState(false)
  const back = `/capsules/${id}`

  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      if (!tracker.hasUnsavedChanges()) return
      event.preventDefault()
      // Browsers that predate `preventDefault` here ask when this is set.
      event.returnValue = ''
    }
    window.addEventListener('beforeunload', warn)
    return () => window.removeEventListener('beforeunload', warn)
  }, [tracker])

  if (capsule.error) {
    return (
      <main className="page narrow" id="main">
        <Alert>{t('capsules.notFound')}</Alert>
        <p>
          <Link to="/capsules" className="button">
            ← {t('capsules.title')}
          </Link>
        </p>
      </main>
    )
  }
  if (!capsule.data)
    return (
      <div className="page-loading" role="status">
        {t('common.loading')}
      </div>
    )
  const data = capsule.data

  const leave = (event: MouseEvent) => {
    if (!tracker.hasUnsavedChanges()) return
    event.preventDefault()
    setLeaving(true)
  }

  return (
    <div className="capsule-editor">
      <header className="presenter-bar editor-bar">
        <Link to={back} className="button ghost" onClick={leave}>
          ← <span className="editor-back">{t('capsuleEditor.back')}</span>
        </Link>
        <TitleField capsule={data} onRenamed={(renamed) => capsule.setData({ ...data, title: renamed.title })} />
        <SaveStatus state={save} onDismiss={() => tracker.dismissError()} />
        <LanguageSwitch />
        <button type="button" className="button primary" onClick={() => setLaunching(true)}>
          {t('launch.button')}
        </button>
      </header>
      <main className="editor-stage" id="main" tabIndex={-1}>
        <LazyCapsuleCanvas
          capsuleId={id}
          me={{ id: user.id, name: user.name }}
          tracker={tracker}
          label={t('capsuleEditor.canvas', { title: data.title })}
        />
      </main>
      <LaunchDialog capsule={launching ? data : null} onClose={() => setLaunching(false)} />
      <ConfirmDialog
        open={leaving}
        title={t('capsuleEditor.leaveTitle')}
        message={t('capsuleEditor.leaveMessage')}
        confirm={t('capsuleEditor.leave')}
        danger
        onConfirm={() => navigate(back)}
        onCancel={() => setLeaving(false)}
      />
    </div>
  )
}

/** The title, renamed in place: Enter or leaving the field saves it, Escape puts it back. */
function TitleField({ capsule, onRenamed }: { capsule: Capsule; onRenamed(capsule: Capsule): void }) {
  const { t } = useI18n()
  const [title, setTitle] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    if (!done) return
    const timer = window.setTimeout(() => setDone(false), 3000)
    return () => window.clearTimeout(timer)
  }, [done])

  const rename = async () => {
    if (busy || title === null) return
    if (title === capsule.title) return setTitle(null)
    setBusy(true)
    setError(null)
    try {
      onRenamed(await api.renameCapsule(capsule.id, title))
      setTitle(null)
      setDone(true)
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.generic'))
    } finally {
      setBusy(false)
    }
  }

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void rename()
  }

  return (
    <form className="editor-title" onSubmit={submit}>
      <label className="sr-only" htmlFor="capsule-title">
        {t('capsules.titleLabel')}
      </label>
      <input
        id="capsule-title"
        className="title-input"
        value={title ?? capsule.title}
        maxLength={200}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'capsule-title-error' : undefined}
        onChange={(e) => setTitle(e.target.value)}
        onBlur={() => void rename()}
        onKeyDown={(e) => {
          if (e.key !== 'Escape') return
          setTitle(null)
          setError(null)
        }}
      />
      <span className="editor-title-feedback" role="status">
        {done && t('capsuleEditor.titleSaved')}
      </span>
      {error && (
        <span className="editor-title-feedback danger-text" id="capsule-title-error" role="alert">
          {error}
        </span>
      )}
    </form>
  )
}

function SaveStatus({ state, onDismiss }: { state: SaveState; onDismiss(): void }) {
  const { t } = useI18n()
  if (state.kind === 'tooLarge') {
    return (
      <div className="pill pill-too-large" role="alert">
        {t('capsuleEditor.tooLarge')}
        <button type="button" className="icon-button" onClick={onDismiss} aria-label={t('common.dismiss')}>
          ×
        </button>
      </div>
    )
  }
  const label = {
    connecting: t('capsuleEditor.connecting'),
    saving: t('capsuleEditor.saving'),
    saved: t('capsuleEditor.saved'),
    offline: state.kind === 'offline' && state.unsaved ? t('capsuleEditor.offlineUnsaved') : t('capsuleEditor.offline'),
  }[state.kind]
  return (
    <span className={`pill pill-${state.kind}`} role="status" data-save-state={state.kind}>
      <span className="dot" aria-hidden="true" />
      {label}
    </span>
  )
}
