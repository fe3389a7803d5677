// Import a .tldr file, by drag and drop or with the file picker.
import { useState, type DragEvent } from 'react'
import { api, ApiError } from '../api'
import type { Capsule } from '../api-types/Capsule'
import { useI18n } from '../i18n'
import { Alert } from '../ui/Alert'

/** The document's own name if it has one, else the file's name without `.tldr`. */
function titleOf(file: File, content: { records?: { typeName?: string; name?: string }[] }): string {
  const named = content.records?.find((r) => r.typeName === 'document')?.name?.trim()
  return (named || file.name.replace(/\.tldr$/i, '')).slice(0, 200)
}

export function CapsuleImport({ onImported }: { onImported(capsule: Capsule): void }) {
  const { t, lang } = useI18n()
  const [over, setOver] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const importFile = async (file: File | undefined) => {
    if (!file) return
    setBusy(true)
    setError(null)
    try {
      const content = JSON.parse(await file.text())
      onImported(await api.createCapsule({ title: titleOf(file, content), snapshot: content }, lang))
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('import.notJson', { file: file.name }))
    } finally {
      setBusy(false)
    }
  }

  const drop = (event: DragEvent) => {
    event.preventDefault()
    setOver(false)
    void importFile(event.dataTransfer.files[0])
  }

  return (
    <section
      className={over ? 'dropzone over' : 'dropzone'}
      aria-labelledby="import-title"
      onDragOver={(e) => {
        e.preventDefault()
        setOver(true)
      }}
      onDragLeave={() => setOver(false)}
      onDrop={drop}
    >
      <svg className="dropzone-icon" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M12 16V4m0 0-4 4m4-4 4 4M5 14v4a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-4" />
      </svg>
      <div>
        <h2 id="import-title">{t('import.title')}</h2>
        <p className="muted">{t('import.hint')}</p>
      </div>
      <label className="button primary file-button">
        {busy ? t('import.busy') : t('import.choose')}
        <input
          type="file"
          accept=".tldr,application/json"
          className="sr-only"
          disabled={busy}
          onChange={(e) => {
            void importFile(e.target.files?.[0])
            e.target.value = ''
          }}
        />
      </label>
      {error && (
        <div className="dropzone-error">
          <Alert onDismiss={() => setError(null)}>{error}</Alert>
        </div>
      )}
    </section>
  )
}
