import { useEffect, useRef, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { ErrorDetail } from '../shared/errors'

interface Props {
  /** The machine code (ApiError's or the sync protocol's), for tests and styles. */
  code: string
  /** Already translated by the console, which knows its own codes. */
  title: string
  message: string
  details?: readonly ErrorDetail[] | undefined
  /** What to do next, when the console has something to say. */
  hint?: string | undefined
  actions?: ReactNode
  onDismiss?: (() => void) | undefined
}

/**
 * An error as the service or core wrote it: a title, the message, every detail (where),
 * and what to do next. Both consoles show their refusals this way.
 */
export function ProblemAlert({ code, title, message, details, hint, actions, onDismiss }: Props) {
  const { t } = useTranslation('ui')
  const ref = useRef<HTMLDivElement>(null)
  // The user may be at the bottom of a long form: bring the error into view.
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'nearest' })
  }, [code, message])
  return (
    <div ref={ref} className="error-alert" role="alert" data-testid="error-alert" data-code={code}>
      <div className="error-alert-body">
        <strong>{title}</strong>
        <p className="error-message">{message}</p>
        {details && details.length > 0 && (
          <ul className="error-details" aria-label={t('error.details')}>
            {details.map((d, i) => (
              <li key={i}>
                <code>{d.path}</code>: {d.message}
              </li>
            ))}
          </ul>
        )}
        {hint && <p>{hint}</p>}
      </div>
      <div className="error-alert-actions">
        {actions}
        {onDismiss && (
          <button type="button" onClick={onDismiss}>
            {t('error.dismiss')}
          </button>
        )}
      </div>
    </div>
  )
}
