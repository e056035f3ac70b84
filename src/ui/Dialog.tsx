import { useEffect, useId, useRef, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'

interface Props {
  title: string
  onClose: () => void
  children: ReactNode
  testId: string
  /** A key that also closes it (the key that opened it), besides Escape. */
  closeKey?: ((e: KeyboardEvent) => boolean) | undefined
}

/**
 * A modal `<dialog>`: focus moves into it, Escape closes it, the page behind is inert.
 * Keys pressed inside stay inside: a console's single-key shortcuts (listening on
 * window) must not choose actions in the form behind it.
 */
export function Dialog({ title, onClose, children, testId, closeKey }: Props) {
  const { t } = useTranslation('ui')
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const d = ref.current
    if (d && !d.open) d.showModal()
    return () => d?.close()
  }, [])
  return (
    <dialog
      ref={ref}
      className="tinjau-dialog"
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault()
        onClose()
      }}
      onKeyDown={(e) => {
        e.stopPropagation()
        if (closeKey?.(e.nativeEvent)) {
          e.preventDefault()
          onClose()
        }
      }}
      onKeyUp={(e) => e.stopPropagation()}
    >
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" onClick={onClose} data-testid={`${testId}-close`}>
          {t('dialog.close')}
        </button>
      </div>
      <div className="dialog-body">{children}</div>
    </dialog>
  )
}
