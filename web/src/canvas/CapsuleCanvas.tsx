// A capsule in the full tldraw editor: every tool, tldraw's page menu, undo, shortcuts. The
// server owns the document (tldraw's sync protocol on `/api/capsules/{id}/sync`, the trainer's
// cookie) and saves it; the socket is watched so that the page can say when a change is safe.
import { useSync } from '@tldraw/sync'
import { ClientWebSocketAdapter } from '@tldraw/sync-core'
import { useCallback, useEffect, useMemo, useState } from 'react'
import { react, Tldraw, type Editor, type TLAssetStore, type TLComponents, type TLPageId } from 'tldraw'
import 'tldraw/tldraw.css'
import { tldrawLicenseKey } from '../config'
import { useI18n, type MessageKey } from '../i18n'
import { assetStore } from './assets'
import { useCanvasUser, useEditorSetup, useNotice } from './common'
import { NO_EMBEDS, OWN_CONTENT_ONLY, useOwnContentOnly } from './ownContent'
import type { SaveTracker } from './saveState'
import { assetUrls } from './tldraw'

declare module '@tldraw/sync-core' {
  /** In the package's exports (`useSync` builds on it), but left out of its published types. */
  export class ClientWebSocketAdapter {
    constructor(getUri: () => string | Promise<string>)
    connectionStatus: 'online' | 'offline' | 'error'
    sendMessage(message: object): void
    onReceiveMessage(listener: (message: object) => void): () => void
    onStatusChange(listener: (event: TLSocketStatusChangeEvent) => void): () => void
    restart(): void
    close(): void
  }
}

/** tldraw's socket, with the tracker told of every message each way. */
class ObservedSocket extends ClientWebSocketAdapter {
  constructor(
    getUri: () => string,
    private readonly tracker: SaveTracker,
  ) {
    super(getUri)
    // Subscribed before tldraw's own client: the tracker sees a message before tldraw acts on it.
    this.onReceiveMessage((message) => tracker.received(message))
    this.onStatusChange((event) => tracker.statusChanged(event.status))
  }

  override sendMessage(message: object) {
    this.tracker.sent(message)
    super.sendMessage(message)
  }
}

export interface CapsuleCanvasProps {
  capsuleId: string
  me: { id: string; name: string }
  tracker: SaveTracker
  label: string
}

/** Everything tldraw offers but its debugging aids. */
const EDITOR_UI: TLComponents = { DebugMenu: null, DebugPanel: null }

/** tldraw's fatal close reasons (close code 4099), in the trainer's language. */
const ERRORS: Record<string, MessageKey> = {
  NOT_FOUND: 'capsuleEditor.error.NOT_FOUND',
  FORBIDDEN: 'capsuleEditor.error.FORBIDDEN',
  NOT_AUTHENTICATED: 'capsuleEditor.error.NOT_AUTHENTICATED',
  CLIENT_TOO_OLD: 'capsuleEditor.error.CLIENT_TOO_OLD',
}

/** The query is what `useSync` itself adds for a `uri`: the server needs the session's id. */
function syncUrl(capsuleId: string, sessionId: string, storeId: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
  const url = new URL(`${scheme}://${window.location.host}/api/capsules/${encodeURIComponent(capsuleId)}/sync`)
  url.searchParams.set('sessionId', sessionId)
  url.searchParams.set('storeId', storeId)
  return url.toString()
}

export default function CapsuleCanvas(props: CapsuleCanvasProps) {
  // "Try again" after a fatal error starts a fresh connection.
  const [attempt, setAttempt] = useState(0)
  return <CapsuleEditor key={attempt} {...props} onRetry={() => setAttempt((n) => n + 1)} />
}

function CapsuleEditor({ capsuleId, me, tracker, label, onRetry }: CapsuleCanvasProps & { onRetry(): void }) {
  const { t, lang } = useI18n()
  const [editor, setEditor] = useState<Editor | null>(null)
  const [notice, setNotice] = useNotice()

  // `useSync` reconnects whenever one of its options changes: each is made once.
  const users = useCanvasUser(me)
  // Images go to the server's asset store; a trainer's cookie shows them.
  const assets = useMemo<TLAssetStore>(
    () =>
      assetStore(
        () => ({ room: '', token: null }),
        true,
        () => '',
        setNotice,
      ),
    [],
  )
  const connect = useCallback(
    ({ sessionId, storeId }: { sessionId: string; storeId: string }) =>
      new ObservedSocket(() => syncUrl(capsuleId, sessionId, storeId), tracker),
    [capsuleId, tracker],
  )
  const store = useSync({ connect, assets, users })
  const synced = store.status === 'synced-remote' ? store.store : null

  useEffect(() => {
    if (!synced) return
    return synced.listen(() => tracker.changed(), { source: 'user', scope: 'document' })
  }, [synced, tracker])

  useEditorSetup(editor, lang)
  useOwnContentOnly(editor)

  useEffect(() => {
    if (!editor) return
    // A page first shows fitted, as participants will see it, not wherever tldraw's camera starts.
    const seen = new Set<TLPageId>()
    return react('fit each page once', () => {
      const page = editor.getCurrentPageId()
      if (seen.has(page)) return
      seen.add(page)
      if (editor.getCurrentPageShapeIds().size > 0) editor.zoomToFit({ animation: { duration: 0 } })
    })
  }, [editor])

  if (store.status === 'error') {
    const reason = 'reason' in store.error ? String(store.error.reason) : store.error.message
    const key = ERRORS[reason]
    return (
      <section className="editor-canvas slide-error" aria-label={label}>
        <div className="canvas-error" role="alert">
          <p>{key ? t(key) : t('capsuleEditor.error.other', { reason })}</p>
          {reason !== 'NOT_FOUND' && reason !== 'FORBIDDEN' && (
            <button type="button" className="button" onClick={onRetry}>
              {t('canvas.retry')}
            </button>
          )}
        </div>
      </section>
    )
  }
  if (store.status === 'loading') {
    return (
      <section className="editor-canvas slide-loading" aria-label={label}>
        <span role="status">{t('capsuleEditor.connecting')}</span>
      </section>
    )
  }
  return (
    <section className="editor-canvas" aria-label={label}>
      <Tldraw
        store={store.store}
        assetUrls={assetUrls}
        licenseKey={tldrawLicenseKey}
        components={EDITOR_UI}
        embeds={NO_EMBEDS}
        overrides={OWN_CONTENT_ONLY}
        onMount={setEditor}
      />
      <div className="canvas-status" role="status">
        {notice && <span className="pill pill-notice">{notice}</span>}
      </div>
    </section>
  )
}
