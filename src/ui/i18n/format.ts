import type { Locale } from '../../shared/policy'

/** Dates, durations and numbers through Intl, in the reviewer's locale. */

const INTL_LOCALE: Record<Locale, string> = { en: 'en-GB', id: 'id-ID' }

export function intlLocale(locale: Locale): string {
  return INTL_LOCALE[locale]
}

// Building an Intl formatter costs far more than using one (a queue row formats a dozen
// numbers and spans: tens of ms per screenful when each made its own), so they are kept
// per locale and options.
const numberFormats = new Map<string, Intl.NumberFormat>()
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>()

/** The kept formatter for `locale` and `options`, built on first use. */
function kept<F, O>(cache: Map<string, F>, make: new (locale: string, options?: O) => F, locale: Locale, options?: O): F {
  const key = `${locale}|${options ? JSON.stringify(options) : ''}`
  let format = cache.get(key)
  if (!format) cache.set(key, (format = new make(intlLocale(locale), options)))
  return format
}

function formatDate(iso: string, locale: Locale, options: Intl.DateTimeFormatOptions): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : kept(dateTimeFormats, Intl.DateTimeFormat, locale, options).format(d)
}

export function formatDateTime(iso: string, locale: Locale): string {
  return formatDate(iso, locale, { dateStyle: 'medium', timeStyle: 'short' })
}

/** The time of day alone ("14:05"), for this session's entries. */
export function formatTimeOfDay(iso: string, locale: Locale): string {
  return formatDate(iso, locale, { timeStyle: 'short' })
}

export function formatNumber(n: number, locale: Locale, options?: Intl.NumberFormatOptions): string {
  return kept(numberFormats, Intl.NumberFormat, locale, options).format(n)
}

/** A classifier score in 0..1 as a percentage. */
export function formatScore(score: number, locale: Locale): string {
  return formatNumber(score, locale, { style: 'percent', maximumFractionDigits: 0 })
}

export function formatBytes(bytes: number, locale: Locale): string {
  const units = [
    ['gigabyte', 1e9],
    ['megabyte', 1e6],
    ['kilobyte', 1e3],
  ] as const
  for (const [unit, size] of units) {
    if (bytes >= size) return formatNumber(bytes / size, locale, { style: 'unit', unit, maximumFractionDigits: 1 })
  }
  return formatNumber(bytes, locale, { style: 'unit', unit: 'byte' })
}

/** A position in a clip or stream, `m:ss.t` or `h:mm:ss.t` (decimal separator of the locale). */
export function formatClipTime(ms: number, locale: Locale): string {
  const tenths = Math.floor(Math.max(0, Number.isFinite(ms) ? ms : 0) / 100)
  const hours = Math.floor(tenths / 36_000)
  const minutes = Math.floor((tenths % 36_000) / 600)
  const seconds = (tenths % 600) / 10
  const s = formatNumber(seconds, locale, {
    minimumIntegerDigits: 2,
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    useGrouping: false,
  })
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${s}` : `${minutes}:${s}`
}

/**
 * A span of time, coarse as a deadline needs: "5 days", "1 day 3 hours", "2 hours
 * 15 minutes", "15 minutes"; under a minute reads as 1 minute so "overdue" is never
 * "0 minutes". Long unit names: "2 j" or "455 hr" (hari) are too cryptic in Indonesian.
 */
export function formatSpan(ms: number, locale: Locale): string {
  const totalMinutes = Math.max(1, Math.floor(Math.abs(ms) / 60_000))
  const days = Math.floor(totalMinutes / 1440)
  const hours = Math.floor((totalMinutes % 1440) / 60)
  const minutes = totalMinutes % 60
  const unit = (n: number, u: 'day' | 'hour' | 'minute') => formatNumber(n, locale, { style: 'unit', unit: u, unitDisplay: 'long' })
  if (days > 1) return unit(days, 'day')
  if (days > 0) return hours > 0 ? `${unit(days, 'day')} ${unit(hours, 'hour')}` : unit(days, 'day')
  if (hours > 0) return minutes > 0 ? `${unit(hours, 'hour')} ${unit(minutes, 'minute')}` : unit(hours, 'hour')
  return unit(minutes, 'minute')
}

export interface TimeLeft {
  overdue: boolean
  /** The span, without the "left" / "overdue" wording (that is translated). */
  span: string
}

export function timeLeft(dueIso: string | null, nowMs: number, locale: Locale): TimeLeft | null {
  if (!dueIso) return null
  const due = Date.parse(dueIso)
  if (Number.isNaN(due)) return null
  const diff = due - nowMs
  return { overdue: diff < 0, span: formatSpan(diff, locale) }
}

/**
 * Builds the formatters the queue's first screen uses. The first Intl formatter of a page
 * loads the locale's ICU data (70–120 ms here); main.tsx calls this once app.info has
 * answered, while the app's code is still loading, so the first render does not pay for it.
 */
export function warmFormatters(locale: Locale): void {
  // i18next's plurals ("1 clip", "2 clips") build their own PluralRules, on the first
  // counted string of the first render; one built now has the locale's plural data loaded.
  new Intl.PluralRules(locale).select(1)
  formatNumber(1, locale)
  formatSpan(26 * 3_600_000, locale)
  formatSpan(3_660_000, locale)
  formatClipTime(1_000, locale)
  formatDateTime('2000-01-01T00:00:00Z', locale)
}
