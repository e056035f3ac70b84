import type { Locale } from '../../../shared/policy'
import { formatNumber } from '../../../ui/i18n/format'

/** Formats the overview needs beyond src/ui/i18n/format.ts. */

/**
 * Median time per clip: "42.5 secs" under a minute, "2 mins 5 secs" from there, in the
 * lead's locale ("42,5 dtk", "2 mnt 5 dtk").
 */
export function formatSecondsPerClip(seconds: number, locale: Locale): string {
  const s = Math.max(0, seconds)
  const unit = (n: number, u: 'second' | 'minute' | 'hour', digits = 0) => formatNumber(n, locale, { style: 'unit', unit: u, maximumFractionDigits: digits })
  if (s < 60) return unit(s, 'second', 1)
  const whole = Math.round(s)
  const hours = Math.floor(whole / 3600)
  const minutes = Math.floor((whole % 3600) / 60)
  const rest = whole % 60
  if (hours > 0) return minutes > 0 ? `${unit(hours, 'hour')} ${unit(minutes, 'minute')}` : unit(hours, 'hour')
  return rest > 0 ? `${unit(minutes, 'minute')} ${unit(rest, 'second')}` : unit(minutes, 'minute')
}

/** A device id short enough for a table cell: its first 8 characters (the whole id stays in the title). */
export function shortId(id: string, length = 8): string {
  return id.length > length + 1 ? `${id.slice(0, length)}…` : id
}
