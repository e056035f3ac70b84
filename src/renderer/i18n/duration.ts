import type { Locale } from '../../shared/policy'
import { formatNumber } from '../../ui/i18n/format'

/**
 * A span of time for the shift summary and the break reminder, in the locale's words:
 * "0 minutes", "45 minutes", "2 hours 5 minutes" / "2 jam 5 menit". Floors to the minute.
 */
export function formatDuration(ms: number, locale: Locale): string {
  const totalMinutes = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 60_000))
  const hours = Math.floor(totalMinutes / 60)
  const minutes = totalMinutes % 60
  const unit = (n: number, u: 'hour' | 'minute') => formatNumber(n, locale, { style: 'unit', unit: u, unitDisplay: 'long' })
  if (hours === 0) return unit(minutes, 'minute')
  return minutes === 0 ? unit(hours, 'hour') : `${unit(hours, 'hour')} ${unit(minutes, 'minute')}`
}
