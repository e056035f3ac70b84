/**
 * The agreement report's time window as the lead picks it (two dates, a pack) and as the
 * service reads it (`GET /qa/report?from=&to=&pack=`: RFC 3339 times, `from` inclusive,
 * `to` exclusive, on each decision's `decided_at`).
 *
 * Dates are days in the lead's own time zone, and the "to" day is included: 1 to 7
 * December asks for decisions from 1 December 00:00 up to (not including) 8 December 00:00,
 * local time.
 */

export interface WindowInput {
  /** `YYYY-MM-DD` from a date input, or '' for no bound. */
  from: string
  to: string
  /** A pack id, or '' for every pack. */
  pack: string
}

export interface ReportQuery {
  from?: string
  to?: string
  pack?: string
}

export const WINDOW_ERRORS = ['badFrom', 'badTo', 'fromAfterTo'] as const
export type WindowError = (typeof WINDOW_ERRORS)[number]

export type WindowResult = { ok: true; query: ReportQuery } | { ok: false; error: WindowError; field: 'from' | 'to' }

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

/** Local midnight of a `YYYY-MM-DD` day, or null when it is not a real day. */
export function localDayStart(day: string): Date | null {
  const m = DAY.exec(day)
  if (!m) return null
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const date = new Date(y, mo - 1, d)
  // 2026-02-31 rolls over to March: not a day anyone picked.
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null
  return date
}

/** A date as a date input holds it (`YYYY-MM-DD`, local). */
export function dayValue(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}`
}

/** The window a lead sees first: the last 30 days, today included. */
export function defaultWindow(now: Date): WindowInput {
  const from = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 29)
  return { from: dayValue(from), to: dayValue(now), pack: '' }
}

/** The service's query for a window, or what is wrong with it (the field to point at). */
export function windowQuery(input: WindowInput): WindowResult {
  const query: ReportQuery = {}
  let start: Date | null = null
  let end: Date | null = null
  if (input.from.trim() !== '') {
    start = localDayStart(input.from.trim())
    if (!start) return { ok: false, error: 'badFrom', field: 'from' }
    query.from = start.toISOString()
  }
  if (input.to.trim() !== '') {
    const day = localDayStart(input.to.trim())
    if (!day) return { ok: false, error: 'badTo', field: 'to' }
    // The "to" day is included: the window ends at the next day's start.
    end = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1)
    query.to = end.toISOString()
  }
  if (start && end && start.getTime() >= end.getTime()) return { ok: false, error: 'fromAfterTo', field: 'from' }
  if (input.pack !== '') query.pack = input.pack
  return { ok: true, query }
}
