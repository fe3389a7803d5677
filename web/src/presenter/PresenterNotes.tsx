// The current page's speaker notes (a string in the tldraw page's `meta.notes`), for the
// trainer's eyes: never on the audience screen. Long notes scroll (with the keys too: it
// takes the focus).
import type { StoreSnapshot } from '../api'
import { useI18n } from '../i18n'

export function pageNotes(snapshot: StoreSnapshot | null, pageId: string | null): string | null {
  const page = pageId ? (snapshot?.store[pageId] as { meta?: { notes?: unknown } } | undefined) : undefined
  const notes = page?.meta?.notes
  return typeof notes === 'string' && notes.trim() ? notes.trim() : null
}

export function PresenterNotes({ notes }: { notes: string }) {
  const { t } = useI18n()
  return (
    <section className="presenter-notes" aria-labelledby="notes-title" tabIndex={0}>
      <h2 id="notes-title">{t('notes.title')}</h2>
      <p>{notes}</p>
    </section>
  )
}
