// Keyboard shortcuts of the presenter: what they must leave alone.

/**
 * Whether a key press belongs to something else than a page-wide shortcut: a modifier held
 * (the browser's and the system's shortcuts), typing in a field, the board (tldraw's own
 * letters), an open dialog, or (for arrow keys) a tab list, which moves between its tabs.
 */
export function belongsElsewhere(event: KeyboardEvent): boolean {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return true
  const target = event.target
  if (!(target instanceof Element)) return false
  const arrow = event.key.startsWith('Arrow')
  return !!target.closest(
    `input, textarea, select, [contenteditable]:not([contenteditable="false"]), .tl-container, dialog[open]${arrow ? ', [role="tablist"]' : ''}`,
  )
}
