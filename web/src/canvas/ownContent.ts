// The server refuses any record that would make participants' browsers reach another host:
// embeds, bookmarks, links on shapes or in text (docs/security.md, "What a capsule may hold").
// A refused push closes the editor's session, so the editors never make such records: a pasted
// address becomes text, tldraw's link and embed actions are gone, and links are taken off
// shapes before they reach the store.
import { useEffect } from 'react'
import { toRichText, type Editor, type TLEmbedDefinition, type TLShape, type TLUiOverrides } from 'tldraw'

/** For `<Tldraw embeds>`: no site is embedded. */
export const NO_EMBEDS: TLEmbedDefinition[] = []

const OUTSIDE_ACTIONS = ['edit-link', 'insert-embed', 'convert-to-bookmark', 'convert-to-embed', 'open-embed-link']

/** For `<Tldraw overrides>`: the actions that make links, embeds and bookmarks are left out. */
export const OWN_CONTENT_ONLY: TLUiOverrides = {
  actions(_editor, actions) {
    for (const id of OUTSIDE_ACTIONS) delete actions[id]
    return actions
  },
}

/** Keeps what the editor creates or changes within the server's content policy. */
export function useOwnContentOnly(editor: Editor | null) {
  useEffect(() => {
    if (!editor) return
    editor.registerExternalContentHandler('url', async ({ url, point }) => {
      const at = point ?? editor.getViewportPageBounds().center
      editor.markHistoryStoppingPoint('paste address as text')
      editor.createShape({ type: 'text', x: at.x, y: at.y, props: { richText: toRichText(url) } })
    })
    const cleanups = [
      editor.sideEffects.registerBeforeCreateHandler('shape', withoutLinks),
      editor.sideEffects.registerBeforeChangeHandler('shape', (_prev, next) => withoutLinks(next)),
    ]
    return () => {
      cleanups.forEach((cleanup) => cleanup())
      editor.registerExternalContentHandler('url', null)
    }
  }, [editor])
}

/** A shape without its `url` and without link marks in its text (the same shape if none). */
export function withoutLinks(shape: TLShape): TLShape {
  const props = shape.props as Record<string, unknown>
  const url = typeof props.url === 'string' && props.url !== '' ? { url: '' } : {}
  const richText = props.richText === undefined ? props.richText : unlinked(props.richText)
  const text = richText !== props.richText ? { richText } : {}
  if (!('url' in url) && !('richText' in text)) return shape
  return { ...shape, props: { ...props, ...url, ...text } } as TLShape
}

/** Rich text (TipTap JSON) without `link` marks; the same object when it has none. */
function unlinked(node: unknown): unknown {
  if (typeof node !== 'object' || node === null) return node
  const { marks, content, ...rest } = node as { marks?: { type: string }[]; content?: unknown[] }
  const keptMarks = marks?.filter((mark) => mark.type !== 'link')
  const keptContent = content?.map(unlinked)
  const same = keptMarks?.length === marks?.length && (keptContent ?? []).every((child, i) => child === content?.[i])
  if (same) return node
  return {
    ...rest,
    ...(keptMarks && keptMarks.length > 0 ? { marks: keptMarks } : {}),
    ...(keptContent ? { content: keptContent } : {}),
  }
}
