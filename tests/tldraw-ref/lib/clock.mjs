// Installs @sinonjs/fake-timers before any tldraw module is evaluated (import this module first).
// Only timers and Date are faked: microtasks, setImmediate and process.nextTick stay real, so
// `await settle()` drains the promise work that the room schedules.
import FakeTimers from '@sinonjs/fake-timers'

/** The fake wall clock's start; every scenario starts here (clock.reset()). */
export const EPOCH_MS = 1_700_000_000_000

export const clock = FakeTimers.install({
	now: EPOCH_MS,
	toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
	loopLimit: 100_000,
})

/** Lets every queued microtask and real immediate run (no fake time passes). */
export function settle() {
	return new Promise((resolve) => setImmediate(resolve))
}
