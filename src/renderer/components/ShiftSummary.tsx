import { useTranslation } from 'react-i18next'
import type { Locale } from '../../shared/policy'
import { formatDuration } from '../i18n/duration'
import { formatDateTime, formatNumber } from '../../ui/i18n/format'
import { useNow } from './hooks'
import { shiftFigures, spanExposureMs } from '../state/exposure'
import { Dialog } from '../../ui/Dialog'
import type { ReviewSession } from './use-review-session'

interface Props {
  session: ReviewSession
  locale: Locale
  onClose: () => void
}

/** This session so far: decisions, skips, time on shift, exposure to sensitive clips, breaks. */
export function ShiftSummary({ session, locale, onClose }: Props) {
  const { t } = useTranslation()
  const now = useNow(1000)
  const f = shiftFigures(session.exposure.state, now)
  const untilBreak = Math.max(0, session.exposure.spanMs - spanExposureMs(session.exposure.state, now))
  const rows: [string, string, string][] = [
    ['started', t('shift.started'), formatDateTime(new Date(session.sessionStartMs).toISOString(), locale)],
    ['time', t('shift.time'), formatDuration(f.shiftMs, locale)],
    ['decisions', t('shift.decisions'), formatNumber(session.decisions.count, locale)],
    ['skips', t('shift.skips'), formatNumber(session.skips, locale)],
    ['exposure', t('shift.exposure'), t('shift.exposureValue', { span: formatDuration(f.exposureMs, locale), share: formatNumber(f.exposureShare, locale, { style: 'percent', maximumFractionDigits: 0 }) })],
    ['sensitive', t('shift.sensitiveClips'), formatNumber(f.sensitiveClips, locale)],
    ['breaks', t('shift.breaks'), formatNumber(f.breaks, locale)],
    ['next-break', t('shift.nextBreak'), session.exposure.breakDue ? t('shift.breakDue') : t('shift.breakIn', { span: formatDuration(untilBreak, locale) })],
  ]
  return (
    <Dialog title={t('shift.title')} onClose={onClose} testId="shift-summary">
      <dl className="summary-figures">
        {rows.map(([id, label, value]) => (
          <div key={id} className="summary-row">
            <dt>{label}</dt>
            <dd data-testid={`shift-${id}`}>{value}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">{t('shift.note')}</p>
      <button type="button" onClick={session.exposure.takeBreak} data-testid="shift-take-break">
        {t('wellness.break.take')}
      </button>
    </Dialog>
  )
}
