import { useEffect, useRef } from 'react'
import { useTranslation } from 'react-i18next'
import type { ApiError } from '../../shared/errors'

interface Props {
  error: ApiError
  onDismiss?: (() => void) | undefined
  onReloadClip?: (() => void) | undefined
}

/** A host error as core wrote it: a translated title, the message, and every detail. */
export function ErrorAlert({ error, onDismiss, onReloadClip }: Props) {
  const { t } = useTranslation()
  const ref = useRef<HTMLDivElement>(null)
  // The reviewer may be at the bottom of a long form: bring the error into view.
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'nearest' })
  }, [error])
  return (
    <div ref={ref} className="error-alert" role="alert" data-testid="error-alert" data-code={error.code}>
      <div className="error-alert-body">
        <strong>{t(`error.title.${error.code}`)}</strong>
        <p className="error-message">{error.message}</p>
        {error.details && error.details.length > 0 && (
          <ul className="error-details" aria-label={t('error.details')}>
            {error.details.map((d, i) => (
              <li key={i}>
                <code>{d.path}</code>: {d.message}
              </li>
            ))}
          </ul>
        )}
        {error.code === 'conflict' && <p>{t('error.conflictHint')}</p>}
        {error.code === 'unauthorized' && <p>{t('error.unauthorizedHint')}</p>}
      </div>
      <div className="error-alert-actions">
        {error.code === 'conflict' && onReloadClip && (
          <button type="button" onClick={onReloadClip}>
            {t('error.reloadClip')}
          </button>
        )}
        {onDismiss && (
          <button type="button" onClick={onDismiss}>
            {t('error.dismiss')}
          </button>
        )}
      </div>
    </div>
  )
}
