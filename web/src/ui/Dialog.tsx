// A modal dialog on the native <dialog>: focus trap, Escape and backdrop for free.
import { useEffect, useId, useRef, type ReactNode } from 'react'
import { useI18n } from '../i18n'

interface DialogProps {
  open: boolean
  title: string
  onClose(): void
  children: ReactNode
  wide?: boolean
}

export function Dialog({ open, title, onClose, children, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const { t } = useI18n()
  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) dialog.showModal()
    if (!open && dialog.open) dialog.close()
  }, [open])
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      onClose={onClose}
      onClick={(event) => event.target === ref.current && onClose()}
    >
      {open && (
        <div className="dialog-body">
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')}>
              ×
            </button>
          </header>
          {children}
        </div>
      )}
    </dialog>
  )
}

interface ConfirmProps {
  open: boolean
  title: string
  message: ReactNode
  confirm: string
  danger?: boolean
  onConfirm(): void
  onCancel(): void
}

export function ConfirmDialog({ open, title, message, confirm, danger, onConfirm, onCancel }: ConfirmProps) {
  const { t } = useI18n()
  return (
    <Dialog open={open} title={title} onClose={onCancel}>
      <div className="dialog-message">{message}</div>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="button" className={danger ? 'button danger' : 'button primary'} onClick={onConfirm}>
          {confirm}
        </button>
      </div>
    </Dialog>
  )
}
