// An on/off control that says what each side means.
import { useId } from 'react'

interface SwitchProps {
  label: string
  checked: boolean
  onChange(checked: boolean): void
  /** What "on" and "off" mean, shown beside the switch. */
  on: string
  off: string
  disabled?: boolean
  /** A keyboard shortcut that flips it too (`aria-keyshortcuts`). */
  shortcut?: string
}

export function Switch({ label, checked, onChange, on, off, disabled, shortcut }: SwitchProps) {
  const labelId = useId()
  return (
    <div className="switch-row">
      <span id={labelId} className="switch-label">
        {label}
      </span>
      <button
        type="button"
        role="switch"
        aria-checked={checked}
        aria-labelledby={labelId}
        className="switch"
        disabled={disabled}
        aria-keyshortcuts={shortcut}
        onClick={() => onChange(!checked)}
      >
        <span className="switch-track" aria-hidden="true">
          <span className="switch-thumb" />
        </span>
        <span className="switch-state">{checked ? on : off}</span>
        {shortcut && <kbd aria-hidden="true">{shortcut}</kbd>}
      </button>
    </div>
  )
}
