// What the room's board and the capsule editor share.
import type { Editor } from 'tldraw'

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
