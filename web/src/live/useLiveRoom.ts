// A live room in a React page: the socket, the room state, and how it ended.
import { CloseCode } from '../protocol/CloseCode'
import { useCallback, useEffect, useReducer, useRef, useState } from 'react'
import type { ClientMessage } from '../protocol/ClientMessage'
import type { EndReason } from '../protocol/EndReason'
import type { ErrorCode } from '../protocol/ErrorCode'
import { roomReducer } from './room'
import { LiveError, LiveSocket, liveUrl, type LiveStatus } from './socket'

export type Outcome =
  | { kind: 'ended'; reason?: EndReason }
  | { kind: 'kicked'; ban: boolean }
  | { kind: 'replaced' }
  | { kind: 'refused'; code: ErrorCode; message: string }

/** While reconnecting, how often to ask whether the room still exists (a restart may find it gone). */
const EXISTS_EVERY_MS = 5_000

export function useLiveRoom(
  name: string | null,
  join: () => ClientMessage,
  exists: (name: string) => Promise<boolean>,
) {
  const [view, dispatch] = useReducer(roomReducer, null)
  const [status, setStatus] = useState<LiveStatus>('connecting')
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const [notice, setNotice] = useState<LiveError | null>(null)
  const [generation, setGeneration] = useState(0)
  const socket = useRef<LiveSocket | null>(null)
  const joinMessage = useRef(join)
  joinMessage.current = join
  /** The room's current name: a rename changes where reconnections go. */
  const currentName = useRef(name)

  useEffect(() => {
    currentName.current = name
  }, [name])

  useEffect(() => {
    if (!name) return
    let joined = false
    const finish = (end: Outcome) => setOutcome((previous) => previous ?? end)
    const live: LiveSocket = new LiveSocket(() => liveUrl(currentName.current ?? name), {
      join: () => joinMessage.current(),
      status(next) {
        if (next !== 'open') joined = false
        setStatus(next)
      },
      message(message) {
        switch (message.type) {
          case 'welcome':
            joined = true
            break
          case 'error':
            if (!joined) {
              finish({ kind: 'refused', code: message.code, message: message.message })
              live.stop()
              return
            }
            if (!message.req) setNotice(new LiveError(message.code, message.message))
            break
          case 'kicked':
            finish({ kind: 'kicked', ban: message.ban })
            break
          case 'session_ended':
            finish({ kind: 'ended', reason: message.reason })
            break
          case 'renamed':
            currentName.current = message.to
            break
        }
        dispatch(message)
      },
      closed(code) {
        // The trainer's log-in ended (here or on another device): back to the log-in page.
        if (code === CloseCode.LoggedOut) window.location.assign('/login')
        else if (code === CloseCode.Replaced) finish({ kind: 'replaced' })
        else if (code === CloseCode.Kicked || code === CloseCode.Banned)
          finish({ kind: 'kicked', ban: code === CloseCode.Banned })
        else finish({ kind: 'ended' })
      },
    })
    socket.current = live
    return () => live.stop()
  }, [name, generation])

  const stillThere = useRef(exists)
  stillThere.current = exists
  useEffect(() => {
    if (status !== 'reconnecting') return
    const timer = window.setInterval(async () => {
      const current = currentName.current
      if (current && !(await stillThere.current(current).catch(() => true))) {
        setOutcome((previous) => previous ?? { kind: 'ended' })
        socket.current?.stop()
      }
    }, EXISTS_EVERY_MS)
    return () => window.clearInterval(timer)
  }, [status])

  /** Sends a command; a refusal shows as the notice. Resolves to whether it was accepted. */
  const send = useCallback(async (message: ClientMessage): Promise<boolean> => {
    try {
      await (socket.current?.request(message) ?? Promise.reject(LiveError.offline()))
      return true
    } catch (error) {
      setNotice(error instanceof LiveError ? error : LiveError.offline())
      return false
    }
  }, [])

  /** Sends a command and gives its refusal (or null once accepted), for a component to show in place. */
  const request = useCallback(async (message: ClientMessage): Promise<LiveError | null> => {
    try {
      await (socket.current?.request(message) ?? Promise.reject(LiveError.offline()))
      return null
    } catch (error) {
      return error instanceof LiveError ? error : LiveError.offline()
    }
  }, [])

  /** Connects again after a refusal or being replaced by another tab. */
  const restart = useCallback(() => {
    setOutcome(null)
    setGeneration((g) => g + 1)
  }, [])

  return {
    view,
    status,
    outcome,
    notice,
    dismissNotice: () => setNotice(null),
    send,
    request,
    dispatch,
    restart,
  }
}
