// Full screen for the projector: a button (or F, or a double click); the button and the mouse
// pointer fade away when the mouse rests, so nothing but the session shows.
import { useCallback, useEffect, useState } from 'react'
import { useI18n } from '../i18n'

const IDLE_MS = 3_000

function toggleFullscreen() {
  if (document.fullscreenElement) void document.exitFullscreen()
  else void document.documentElement.requestFullscreen().catch(() => {})
}

export function FullscreenButton() {
  const { t } = useI18n()
  const [full, setFull] = useState(() => document.fullscreenElement !== null)
  useEffect(() => {
    const changed = () => setFull(document.fullscreenElement !== null)
    const keys = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() === 'f' && !event.ctrlKey && !event.metaKey && !event.altKey) toggleFullscreen()
    }
    document.addEventListener('fullscreenchange', changed)
    document.addEventListener('dblclick', toggleFullscreen)
    window.addEventListener('keydown', keys)
    return () => {
      document.removeEventListener('fullscreenchange', changed)
      document.removeEventListener('dblclick', toggleFullscreen)
      window.removeEventListener('keydown', keys)
    }
  }, [])
  if (!document.fullscreenEnabled) return null
  return (
    <button type="button" className="audience-fullscreen" onClick={toggleFullscreen} aria-keyshortcuts="F">
      {full ? t('audience.exitFullscreen') : t('audience.fullscreen')}
    </button>
  )
}

/** True once the mouse has not moved for a few seconds. */
export function useIdle(): boolean {
  const [idle, setIdle] = useState(false)
  const wake = useCallback(() => setIdle(false), [])
  useEffect(() => {
    let timer = window.setTimeout(() => setIdle(true), IDLE_MS)
    const moved = () => {
      wake()
      window.clearTimeout(timer)
      timer = window.setTimeout(() => setIdle(true), IDLE_MS)
    }
    window.addEventListener('pointermove', moved)
    window.addEventListener('keydown', moved)
    return () => {
      window.clearTimeout(timer)
      window.removeEventListener('pointermove', moved)
      window.removeEventListener('keydown', moved)
    }
  }, [wake])
  return idle
}
