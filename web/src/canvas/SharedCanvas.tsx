// The room's shared board: tldraw's own sync protocol (`useSync`) against
// `/api/live/{name}/canvas`. Trainers always edit; a participant edits or only watches, as the
// server's connect reply says; the audience screen only watches (`watch`). The page shown comes
// from the room (follow mode) or the participant's own navigation, never from tldraw's page menu.
import { useSync } from '@tldraw/sync'
import { useEffect, useMemo, useRef, useState } from 'react'
import { Tldraw, useValue, type Editor, type TLAssetStore, type TLComponents, type TLPageId } from 'tldraw'
import 'tldraw/tldraw.css'
import { tldrawLicenseKey } from '../config'
import { useI18n, type MessageKey } from '../i18n'
import { annotationCounts, clearAnnotations, TRAINER } from './annotations'
import { assetStore } from './assets'
import { useCanvasUser, useEditorSetup, useNotice } from './common'
import { NO_EMBEDS, OWN_CONTENT_ONLY, useOwnContentOnly } from './ownContent'
import { assetUrls } from './tldraw'

export interface SharedCanvasProps {
  /** The room's current name (a rename takes effect at the next reconnection). */
  room: string
  /** A participant's resume token; null for a trainer, whose cookie is enough. */
  token: string | null
  me: { id: string; name: string; role: 'trainer' | 'participant' }
  /** The page to show: the room's (follow mode) or the participant's own. */
  pageId: string | null
  label: string
  /**
   * Only shows the board (the audience screen on the projector): no tools, no cursor or
   * presence of its own for the others to see, nothing that reacts to the mouse or the keys.
   */
  watch?: boolean
}

/** A board that only watches sends no presence: nobody sees a second cursor of the trainer's. */
const NO_PRESENCE = () => null

/** Trainers: every tool and style; pages follow the room, so no page menu. */
const TRAINER_UI: TLComponents = {
  PageMenu: null,
  DebugMenu: null,
  DebugPanel: null,
  UserPresenceEditor: null,
  KeyboardShortcutsDialog: null,
}

/** Participants drawing: the tools and styles, none of the menus. */
const PARTICIPANT_UI: TLComponents = {
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

function canvasUrl(room: string, token: string | null): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
  const url = new URL(`${scheme}://${window.location.host}/api/live/${encodeURIComponent(room)}/canvas`)
  if (token) url.searchParams.set('token', token)
  return url.toString()
}

/** tldraw's fatal close reasons (close code 4099), in the viewer's language. */
const ERRORS: Record<string, MessageKey> = {
  NOT_FOUND: 'canvas.error.NOT_FOUND',
  FORBIDDEN: 'canvas.error.FORBIDDEN',
  NOT_AUTHENTICATED: 'canvas.error.NOT_AUTHENTICATED',
  CLIENT_TOO_OLD: 'canvas.error.CLIENT_TOO_OLD',
  SERVER_TOO_OLD: 'canvas.error.SERVER_TOO_OLD',
  INVALID_RECORD: 'canvas.error.INVALID_RECORD',
  RATE_LIMITED: 'canvas.error.RATE_LIMITED',
  ROOM_FULL: 'canvas.error.ROOM_FULL',
}

function fit(editor: Editor) {
  editor.zoomToFit({ animation: { duration: 0 } })
}

export default function SharedCanvas(props: SharedCanvasProps) {
  // "Try again" after a fatal error starts a fresh connection.
  const [attempt, setAttempt] = useState(0)
  return <Board key={attempt} {...props} onRetry={() => setAttempt((n) => n + 1)} />
}

function Board({ room, token, me, pageId, label, watch = false, onRetry }: SharedCanvasProps & { onRetry(): void }) {
  const { t, lang } = useI18n()
  const [editor, setEditor] = useState<Editor | null>(null)
  const [notice, setNotice] = useNotice()
  const trainer = me.role === 'trainer'
  const creator = trainer ? TRAINER : me.id

  // `useSync` reconnects whenever its options change: keep them stable, read the latest values
  // (a new resume token, a renamed room) when a connection starts.
  const latest = useRef({ room, token })
  latest.current = { room, token }
  const uri = useMemo(() => () => canvasUrl(latest.current.room, latest.current.token), [])
  const users = useCanvasUser(me)
  // Stable too: a new asset store would mean a new connection. Trainers upload images to the
  // server's asset store; participants drawing may not add any.
  const refusal = useRef('')
  refusal.current = t('canvas.uploadRefused')
  const assets = useMemo<TLAssetStore>(
    () =>
      assetStore(
        () => latest.current,
        trainer,
        () => refusal.current,
        setNotice,
      ),
    [trainer],
  )

  const store = useSync({ uri, assets, users, getUserPresence: watch ? NO_PRESENCE : undefined })

  useEditorSetup(editor, lang)
  useOwnContentOnly(editor)

  // Who made each shape, kept in its `meta`, so that "clear" knows whose drawings are whose.
  // A participant changes or deletes only their own shapes, never the slide's or others'.
  useEffect(() => {
    if (!editor) return
    const cleanups = [
      editor.sideEffects.registerBeforeCreateHandler('shape', (shape, source) =>
        source === 'user' && typeof shape.meta.createdBy !== 'string'
          ? { ...shape, meta: { ...shape.meta, createdBy: creator } }
          : shape,
      ),
    ]
    if (!trainer) {
      cleanups.push(
        editor.sideEffects.registerBeforeChangeHandler('shape', (prev, next, source) =>
          source === 'user' && prev.meta.createdBy !== creator ? prev : next,
        ),
        editor.sideEffects.registerBeforeDeleteHandler('shape', (shape, source) =>
          source === 'user' && shape.meta.createdBy !== creator ? false : undefined,
        ),
      )
    }
    return () => cleanups.forEach((cleanup) => cleanup())
  }, [editor, creator, trainer])

  // The presenter's keys (quiz steps, pages) and tldraw's (its tools: N, R, A, E…) share the
  // keyboard: the board takes the keys once clicked, and gives them back when the trainer clicks
  // or tabs anywhere else.
  useEffect(() => {
    if (!editor || !trainer || watch) return
    const container = editor.getContainer()
    const inside = (event: Event) => event.target instanceof Node && container.contains(event.target)
    const pointer = (event: PointerEvent) => {
      if (inside(event)) editor.focus({ focusContainer: false })
      else editor.blur({ blurContainer: false })
    }
    const focus = (event: FocusEvent) => {
      if (!inside(event)) editor.blur({ blurContainer: false })
    }
    const page = container.ownerDocument
    page.addEventListener('pointerdown', pointer, true)
    page.addEventListener('focusin', focus)
    return () => {
      page.removeEventListener('pointerdown', pointer, true)
      page.removeEventListener('focusin', focus)
    }
  }, [editor, trainer, watch])

  const readonly = useValue('readonly', () => editor?.getIsReadonly() ?? true, [editor])
  const hasPage = useValue('has page', () => !!(editor && pageId && editor.getPage(pageId as TLPageId)), [
    editor,
    pageId,
  ])

  useEffect(() => {
    if (!editor || !pageId || !hasPage) return
    editor.setCurrentPage(pageId as TLPageId)
    fit(editor)
  }, [editor, pageId, hasPage])

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

  if (store.status === 'error') {
    const reason = 'reason' in store.error ? String(store.error.reason) : store.error.message
    const key = ERRORS[reason]
    return (
      <section className="slide slide-error" aria-label={label}>
        <div className="canvas-error" role="alert">
          <p>{key ? t(key) : t('canvas.error.other', { reason })}</p>
          {reason !== 'NOT_FOUND' && (
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
      <section className="slide slide-loading" aria-label={label}>
        <span role="status">{t('canvas.connecting')}</span>
      </section>
    )
  }

  const offline = store.connectionStatus === 'offline'
  // A participant who only watches: the board lets the page scroll through it (phones).
  const passive = watch || (!trainer && readonly)
  return (
    <>
      <section
        className={['slide', passive ? 'slide-passive' : 'slide-drawing'].join(' ')}
        aria-label={label}
        aria-busy={offline}
      >
        <Tldraw
          store={store.store}
          assetUrls={assetUrls}
          licenseKey={tldrawLicenseKey}
          hideUi={passive}
          autoFocus={!trainer}
          components={trainer ? TRAINER_UI : PARTICIPANT_UI}
          embeds={NO_EMBEDS}
          overrides={OWN_CONTENT_ONLY}
          onMount={setEditor}
        />
        <div className="canvas-status" role="status">
          {offline && <span className="pill pill-reconnecting">{t('canvas.offline')}</span>}
          {notice && <span className="pill pill-notice">{notice}</span>}
        </div>
      </section>
      {trainer && !watch && editor && <TrainerTools editor={editor} />}
    </>
  )
}

/** "Clear my annotations" and "clear participants' drawings", on the page shown. */
function TrainerTools({ editor }: { editor: Editor }) {
  const { t } = useI18n()
  const counts = useValue('annotations', () => annotationCounts(editor), [editor])
  return (
    <div className="canvas-tools" role="group" aria-label={t('canvas.tools')}>
      <button
        type="button"
        className="button"
        disabled={counts.mine === 0}
        onClick={() => clearAnnotations(editor, 'mine')}
      >
        {t('canvas.clearMine')}
      </button>
      <button
        type="button"
        className="button"
        disabled={counts.others === 0}
        onClick={() => clearAnnotations(editor, 'others')}
      >
        {t('canvas.clearOthers')}
      </button>
    </div>
  )
}
