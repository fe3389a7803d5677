// One live connection (docs/protocol.md): joins on every (re)connection, pings every 10 s,
// notices a dead link by its silence, and reconnects with exponential back-off until stopped.
import type { ClientMessage } from '../protocol/ClientMessage'
import { CloseCode } from '../protocol/CloseCode'
import type { ErrorCode } from '../protocol/ErrorCode'
import type { ServerMessage } from '../protocol/ServerMessage'

export type LiveStatus = 'connecting' | 'open' | 'reconnecting' | 'stopped'

const PING_MS = 10_000
/** Nothing heard for this long (pongs included): the link is dead, reconnect. */
const SILENCE_MS = 25_000
const MAX_BACKOFF_MS = 10_000
/** Close codes after which reconnecting would be wrong: ended, kicked, replaced, banned, logged out. */
const FINAL_CLOSES = new Set<number>([
  CloseCode.Normal,
  CloseCode.Kicked,
  CloseCode.Replaced,
  CloseCode.Banned,
  CloseCode.LoggedOut,
])

export interface LiveHandlers {
  /** The `join` message to send, asked for on every connection (the resume token may change). */
  join(): ClientMessage
  message(message: ServerMessage): void
  status(status: LiveStatus, attempt: number): void
  /** The server closed for good (one of the final close codes). */
  closed(code: number): void
}

type Answer = Extract<ServerMessage, { req: string | null }>

export class LiveSocket {
  private ws: WebSocket | null = null
  private attempt = 0
  private stopped = false
  private lastHeard = 0
  private retryTimer?: number
  private pingTimer?: number
  private seq = 0
  private pending = new Map<string, { resolve(m: Answer): void; reject(e: Error): void }>()

  constructor(
    private url: () => string,
    private handlers: LiveHandlers,
  ) {
    window.addEventListener('online', this.wake)
    this.connect()
  }

  /** Sends a message; resolves on its `ack` (or `pong`, `quiz_answer_accepted`), rejects on its `error`. */
  request(message: ClientMessage): Promise<Answer> {
    const req = `r${++this.seq}`
    return new Promise((resolve, reject) => {
      if (this.ws?.readyState !== WebSocket.OPEN) return reject(LiveError.offline())
      this.pending.set(req, { resolve, reject })
      this.ws.send(JSON.stringify({ ...message, req }))
    })
  }

  stop() {
    this.stopped = true
    window.removeEventListener('online', this.wake)
    window.clearTimeout(this.retryTimer)
    const ws = this.ws
    this.detach()
    ws?.close(1000)
    this.handlers.status('stopped', 0)
  }

  private connect() {
    this.handlers.status(this.attempt === 0 ? 'connecting' : 'reconnecting', this.attempt)
    const ws = new WebSocket(this.url())
    this.ws = ws
    ws.onopen = () => {
      this.lastHeard = Date.now()
      ws.send(JSON.stringify(this.handlers.join()))
      this.pingTimer = window.setInterval(this.beat, PING_MS)
    }
    ws.onmessage = (event) => {
      this.lastHeard = Date.now()
      const message = JSON.parse(event.data) as ServerMessage
      if (message.type === 'welcome') {
        this.attempt = 0
        this.handlers.status('open', 0)
      }
      this.settle(message)
      this.handlers.message(message)
    }
    ws.onclose = (event) => {
      this.detach()
      if (FINAL_CLOSES.has(event.code)) {
        this.stopped = true
        this.handlers.closed(event.code)
        this.handlers.status('stopped', 0)
      } else {
        this.retry()
      }
    }
  }

  private settle(message: ServerMessage) {
    if (!('req' in message) || !message.req) return
    const waiting = this.pending.get(message.req)
    if (!waiting) return
    this.pending.delete(message.req)
    if (message.type === 'error') waiting.reject(new LiveError(message.code, message.message))
    else waiting.resolve(message)
  }

  private beat = () => {
    if (Date.now() - this.lastHeard > SILENCE_MS) {
      const ws = this.ws
      this.detach()
      ws?.close()
      this.retry()
    } else {
      this.ws?.send('{"type":"ping"}')
    }
  }

  /** Forgets the current socket: its late events are ignored, its requests fail. */
  private detach() {
    window.clearInterval(this.pingTimer)
    if (this.ws) this.ws.onopen = this.ws.onmessage = this.ws.onclose = null
    this.ws = null
    for (const waiting of this.pending.values()) waiting.reject(LiveError.offline())
    this.pending.clear()
  }

  private retry() {
    if (this.stopped) return
    this.attempt += 1
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** (this.attempt - 1))
    this.handlers.status('reconnecting', this.attempt)
    this.retryTimer = window.setTimeout(() => this.connect(), delay * (0.75 + Math.random() / 2))
  }

  /** Back online: try now rather than at the end of the back-off. */
  private wake = () => {
    if (this.ws || this.stopped) return
    window.clearTimeout(this.retryTimer)
    this.connect()
  }
}

/** A refusal from the server (its `ErrorCode`), or `offline`: the socket was not connected. */
export class LiveError extends Error {
  constructor(
    readonly code: ErrorCode | 'offline',
    message: string,
  ) {
    super(message || code)
  }

  static offline(): LiveError {
    return new LiveError('offline', '')
  }
}

export function liveUrl(name: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws'
  return `${scheme}://${window.location.host}/api/live/${encodeURIComponent(name)}`
}
