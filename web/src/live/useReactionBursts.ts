// What just came, from running totals: each `reactions` frame's difference from the one before
// becomes a few short-lived "bursts" to float up. None when the viewer asks for less motion.
import { useEffect, useRef, useState } from 'react'
import type { Reaction } from '../protocol/Reaction'
import { REACTIONS, type ReactionCounts } from './reactions'

export interface Burst {
  id: number
  reaction: Reaction
  /** Horizontal drift of the float, -1 to 1, so that several do not rise on one line. */
  drift: number
}

/** As long as the float's CSS animation (`reaction-float`). */
const FLOAT_MS = 1_600
/** A frame can bring dozens at once (a class applauding): a few floats say it as well. */
const MAX_PER_FRAME = 4
const MAX_FLOATING = 24

let nextId = 0

export function useReactionBursts(counts: ReactionCounts): Burst[] {
  const [bursts, setBursts] = useState<Burst[]>([])
  const previous = useRef(counts)
  const timers = useRef(new Set<number>())
  const reduced = usePrefersReducedMotion()

  useEffect(() => {
    const before = previous.current
    previous.current = counts
    if (reduced) return
    const fresh: Burst[] = []
    for (const reaction of REACTIONS) {
      // Negative after a server restart (counting from zero again): nothing came.
      const came = Math.min(MAX_PER_FRAME, (counts[reaction] ?? 0) - (before[reaction] ?? 0))
      for (let i = 0; i < came; i++) fresh.push({ id: ++nextId, reaction, drift: Math.random() * 2 - 1 })
    }
    if (fresh.length === 0) return
    setBursts((shown) => [...shown, ...fresh].slice(-MAX_FLOATING))
    const timer = window.setTimeout(() => {
      timers.current.delete(timer)
      setBursts((shown) => shown.filter((b) => !fresh.includes(b)))
    }, FLOAT_MS)
    timers.current.add(timer)
  }, [counts, reduced])

  useEffect(() => {
    const pending = timers.current
    return () => pending.forEach((timer) => window.clearTimeout(timer))
  }, [])

  return bursts
}

function usePrefersReducedMotion(): boolean {
  const query = '(prefers-reduced-motion: reduce)'
  const [reduced, setReduced] = useState(() => window.matchMedia(query).matches)
  useEffect(() => {
    const list = window.matchMedia(query)
    const change = () => setReduced(list.matches)
    list.addEventListener('change', change)
    return () => list.removeEventListener('change', change)
  }, [])
  return reduced
}
