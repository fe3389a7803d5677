// What the room's board and the capsule editor share.
import { useEffect, useMemo, useState } from 'react'
import { atom, createUserId, UserRecordType, type Editor, type TLUser, type TLUserStore } from 'tldraw'

/** Readable on white, distinct from each other: a person keeps theirs across reloads. */
const COLOURS = ['#e03131', '#1971c2', '#2f9e44', '#f08c00', '#9c36b5', '#0c8599', '#c2255c', '#5c940d', '#6741d9']

export function colourOf(id: string): string {
  let hash = 0
  for (const c of id) hash = (hash * 31 + c.charCodeAt(0)) >>> 0
  return COLOURS[hash % COLOURS.length]
}

/** Shown only when the browser tests ask for it (`window.__PRATICO_E2E__`) or in `npm run dev`. */
export function exposeForTests(editor: Editor | null) {
  const w = window as unknown as Record<string, unknown>
  if (import.meta.env.DEV || w.__PRATICO_E2E__) w.__tldrawEditor = editor ?? undefined
}

/**
 * The person at this canvas, as tldraw's presence shows them: made once (`useSync` reconnects
 * whenever its options change), their name kept up to date.
 */
export function useCanvasUser(me: { id: string; name: string }): TLUserStore {
  const currentUser = useMemo(() => atom<TLUser | null>('pratico user', null), [])
  useEffect(() => {
    currentUser.set(
      UserRecordType.create({ id: createUserId(me.id), name: me.name, color: colourOf(me.id), imageUrl: '' }),
    )
  }, [currentUser, me.id, me.name])
  return useMemo(() => ({ currentUser }), [currentUser])
}

/** A short notice over the canvas (an upload refused…), gone after 6 s. */
export function useNotice(): [string | null, (notice: string | null) => void] {
  const [notice, setNotice] = useState<string | null>(null)
  useEffect(() => {
    if (!notice) return
    const timer = window.setTimeout(() => setNotice(null), 6000)
    return () => window.clearTimeout(timer)
  }, [notice])
  return [notice, setNotice]
}

/** tldraw's menus in the page's language, and the editor handed to the browser tests. */
export function useEditorSetup(editor: Editor | null, lang: string) {
  useEffect(() => {
    editor?.user.updateUserPreferences({ locale: lang })
  }, [editor, lang])
  useEffect(() => {
    exposeForTests(editor)
    return () => exposeForTests(null)
  }, [editor])
}
