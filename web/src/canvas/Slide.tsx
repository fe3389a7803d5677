// One page of a capsule on a tldraw canvas, fitted to its frame. Read-only unless `drawing`:
// then the viewer may draw on their own copy (drawings are not shared).
import { useEffect, useMemo, useRef, useState } from 'react'
import { Tldraw, type Editor, type TLComponents, type TLPageId, type TLStoreSnapshot } from 'tldraw'
import 'tldraw/tldraw.css'
import type { StoreSnapshot } from '../api'
import { tldrawLicenseKey } from '../config'
import { useI18n } from '../i18n'
import { assetStore, type Viewer } from './assets'
import { assetUrls } from './tldraw'

export interface SlideProps {
  snapshot: StoreSnapshot
  pageId: string | null
  label: string
  drawing?: boolean
  /** Whose images these are shown to (a participant's come with their resume token). */
  viewer: Viewer
}

/** When drawing: the tools and styles, none of the menus (pages follow the session). */
const DRAWING_UI: TLComponents = {
  MenuPanel: null,
  ActionsMenu: null,
  HelpMenu: null,
  SharePanel: null,
  TopPanel: null,
  DebugMenu: null,
  DebugPanel: null,
  NavigationPanel: null,
  HelperButtons: null,
  KeyboardShortcutsDialog: null,
}

function fit(editor: Editor) {
  editor.zoomToFit({ animation: { duration: 0 } })
}

export default function Slide({ snapshot, pageId, label, drawing = false, viewer }: SlideProps) {
  const [editor, setEditor] = useState<Editor | null>(null)
  const { t, lang } = useI18n()
  // Read when an image is shown; one store for the editor's whole life.
  const latest = useRef(viewer)
  latest.current = viewer
  const refusal = t('canvas.uploadRefused')
  const refusalRef = useRef(refusal)
  refusalRef.current = refusal
  const assets = useMemo(
    () =>
      assetStore(
        () => latest.current,
        false,
        () => refusalRef.current,
        () => {},
      ),
    [],
  )

  useEffect(() => {
    editor?.user.updateUserPreferences({ locale: lang })
  }, [editor, lang])

  useEffect(() => {
    editor?.updateInstanceState({ isReadonly: !drawing })
  }, [editor, drawing])

  useEffect(() => {
    const page = pageId as TLPageId | null
    if (!editor || !page || !editor.getPage(page)) return
    editor.setCurrentPage(page)
    fit(editor)
  }, [editor, pageId])

  useEffect(() => {
    if (!editor) return
    // tldraw notices a resize up to 200 ms late: tell it first, then fit.
    const observer = new ResizeObserver(() => {
      editor.updateViewportScreenBounds(editor.getContainer())
      fit(editor)
    })
    observer.observe(editor.getContainer())
    return () => observer.disconnect()
  }, [editor])

  return (
    <section className="slide" aria-label={label}>
      <Tldraw
        snapshot={snapshot as unknown as TLStoreSnapshot}
        assets={assets}
        assetUrls={assetUrls}
        licenseKey={tldrawLicenseKey}
        hideUi={!drawing}
        components={DRAWING_UI}
        onMount={setEditor}
      />
    </section>
  )
}
