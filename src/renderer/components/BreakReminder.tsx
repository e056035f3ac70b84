import { useTranslation } from 'react-i18next'
import type { Locale } from '../../shared/policy'
import { formatDuration } from '../i18n/duration'

interface Props {
  locale: Locale
  exposureMs: number
  onDismiss: () => void
  onTakeBreak: () => void
}

/** Shown after the configured span of exposure to sensitive clips; it never blocks work. */
export function BreakReminder({ locale, exposureMs, onDismiss, onTakeBreak }: Props) {
  const { t } = useTranslation()
  return (
    <div className="break-reminder" role="status" aria-live="polite" data-testid="break-reminder">
      <p>
        <strong>{t('wellness.break.title')}</strong> {t('wellness.break.body', { span: formatDuration(exposureMs, locale) })}
      </p>
      <div className="break-reminder-actions">
        <button type="button" className="primary" onClick={onTakeBreak} data-testid="break-take">
          {t('wellness.break.take')}
        </button>
        <button type="button" onClick={onDismiss} data-testid="break-dismiss">
          {t('wellness.break.dismiss')}
        </button>
      </div>
    </div>
  )
}
