// Whether a capsule open in the editor is safe in the database, from what its sync socket
// carries: the user's changes, the pushes tldraw sends, their `push_result`s (with the server
// clock that holds them) and the server's `saved` messages (the clock last written).

export type SaveState =
  | { kind: 'connecting' }
  | { kind: 'saved' }
  | { kind: 'saving' }
  | { kind: 'offline'; unsaved: boolean }
  /** The server refused the last change: the document would have been over `maxBytes`. */
  | { kind: 'tooLarge'; maxBytes: number }

/** The few fields of tldraw's sync messages (protocol 8) this needs. */
type Outgoing = { type: string; clientClock?: number; diff?: unknown }
type Incoming = {
  type: string
  clientClock?: number
  serverClock?: number
  hydrationType?: string
  action?: unknown
  data?: unknown
}

/** tldraw sends what a reconnection has to send within a second (its pace when editing alone). */
const RESEND_WITHIN_MS = 1500

export class SaveTracker {
  /** The server answered a `connect` once (before that, the editor is still loading). */
  private loaded = false
  /** Connected to the document now: the socket is open and the server answered its `connect`. */
  private inRoom = false
  /** A change of the user's that no push carried yet. */
  private edited = false
  /** The `clientClock`s of pushes with document changes that await their result. */
  private inFlight = new Set<number>()
  /** Pushes were in flight when the connection dropped: the next `connect` tells their fate. */
  private lost = false
  /** The highest server clock holding a change of ours; safe once `saved` reaches it. */
  private awaited = -1
  private saved = -1
  private tooLarge: number | null = null
  private pushedSinceConnect = false
  private resendCheck: number | undefined
  private state: SaveState = { kind: 'connecting' }
  private listeners = new Set<() => void>()

  subscribe = (listener: () => void) => {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  getState = () => this.state

  /** Whether leaving now could lose a change. */
  hasUnsavedChanges(): boolean {
    return this.edited || this.lost || this.inFlight.size > 0 || this.awaited > this.saved
  }

  /** The user changed the document (tldraw pushes it at its next frame). */
  changed() {
    this.edited = true
    this.update()
  }

  dismissError() {
    this.tooLarge = null
    this.update()
  }

  sent(sent: object) {
    const message = sent as Outgoing
    if (message.type !== 'push' || !message.diff || typeof message.clientClock !== 'number') return
    this.edited = false
    this.pushedSinceConnect = true
    this.inFlight.add(message.clientClock)
    this.update()
  }

  received(received: object) {
    const message = received as Incoming
    switch (message.type) {
      case 'connect':
        this.connectedAgain(message)
        break
      case 'data':
        if (Array.isArray(message.data)) for (const item of message.data as Incoming[]) this.result(item)
        break
      case 'push_result':
        this.result(message)
        break
      case 'custom':
        this.custom(message.data)
        break
    }
    this.update()
  }

  statusChanged(status: 'online' | 'offline' | 'error') {
    if (status === 'online') return
    this.inRoom = false
    // tldraw drops its pending pushes with the socket and keeps their changes to send again.
    if (this.inFlight.size > 0) this.lost = true
    this.inFlight.clear()
    window.clearTimeout(this.resendCheck)
    this.update()
  }

  dispose() {
    window.clearTimeout(this.resendCheck)
  }

  private connectedAgain(message: Incoming) {
    this.loaded = true
    this.inRoom = true
    this.pushedSinceConnect = false
    if (message.hydrationType === 'wipe_all') {
      // A new server task loaded the document from the database: what it has is saved, what it
      // lost is gone from this tab too, and its clocks start past every earlier one.
      this.awaited = -1
    } else if (this.lost && typeof message.serverClock === 'number') {
      // Lost pushes that reached the server are in the document it has now; the others come again.
      this.awaited = Math.max(this.awaited, message.serverClock)
    }
    this.lost = false
    if (this.edited) {
      // Changes made offline may cancel out, and then tldraw sends nothing.
      window.clearTimeout(this.resendCheck)
      this.resendCheck = window.setTimeout(() => this.checkResent(), RESEND_WITHIN_MS)
    }
  }

  private checkResent() {
    if (!this.inRoom || this.pushedSinceConnect) return
    // A hidden tab does not run tldraw's frames: it sends once shown again.
    if (document.hidden) {
      this.resendCheck = window.setTimeout(() => this.checkResent(), RESEND_WITHIN_MS)
      return
    }
    this.edited = false
    this.update()
  }

  private result(item: Incoming) {
    if (item.type !== 'push_result' || typeof item.clientClock !== 'number') return
    if (!this.inFlight.delete(item.clientClock)) return
    if (item.action === 'discard') return
    if (typeof item.serverClock === 'number') this.awaited = Math.max(this.awaited, item.serverClock)
    this.tooLarge = null
  }

  private custom(data: unknown) {
    if (typeof data !== 'object' || data === null) return
    const custom = data as { type?: unknown; clock?: unknown; max_bytes?: unknown }
    if (custom.type === 'saved' && typeof custom.clock === 'number') this.saved = Math.max(this.saved, custom.clock)
    if (custom.type === 'document_too_large' && typeof custom.max_bytes === 'number') this.tooLarge = custom.max_bytes
  }

  private update() {
    const next = this.compute()
    if (JSON.stringify(next) === JSON.stringify(this.state)) return
    this.state = next
    this.listeners.forEach((listener) => listener())
  }

  private compute(): SaveState {
    if (!this.loaded) return { kind: 'connecting' }
    if (!this.inRoom) return { kind: 'offline', unsaved: this.hasUnsavedChanges() }
    if (this.tooLarge !== null) return { kind: 'tooLarge', maxBytes: this.tooLarge }
    return this.hasUnsavedChanges() ? { kind: 'saving' } : { kind: 'saved' }
  }
}
