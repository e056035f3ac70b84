/**
 * The exposure timer, pure: time spent with a sensitive clip open (and the window
 * visible), counted from an injected clock. After `spanMs` of exposure since the last
 * break (or the last dismissed reminder) a break reminder is due; dismissing it or taking
 * a break starts the next span. Nothing here blocks work: the UI only shows a reminder.
 */

export interface ExposureState {
  /** When the session (shift) started, ms since the epoch. */
  sessionStartMs: number
  /** Exposure in closed intervals, ms. */
  exposedMs: number
  /** Start of the open exposure interval, or null when not exposed now. */
  exposedSince: number | null
  /** Total exposure when the current span started (last break or dismissed reminder). */
  spanStartExposureMs: number
  breaks: number
  remindersDismissed: number
  /** Sensitive clips opened this session. */
  sensitiveClips: number
}

export function createExposure(nowMs: number): ExposureState {
  return { sessionStartMs: nowMs, exposedMs: 0, exposedSince: null, spanStartExposureMs: 0, breaks: 0, remindersDismissed: 0, sensitiveClips: 0 }
}

/** Total exposure this session up to `nowMs`. */
export function totalExposureMs(s: ExposureState, nowMs: number): number {
  return s.exposedMs + (s.exposedSince === null ? 0 : Math.max(0, nowMs - s.exposedSince))
}

/** Exposure since the current span started. */
export function spanExposureMs(s: ExposureState, nowMs: number): number {
  return Math.max(0, totalExposureMs(s, nowMs) - s.spanStartExposureMs)
}

/** Start or stop counting. Idempotent: starting while exposed keeps the earlier start. */
export function setExposed(s: ExposureState, exposed: boolean, nowMs: number): ExposureState {
  if (exposed) return s.exposedSince === null ? { ...s, exposedSince: nowMs } : s
  if (s.exposedSince === null) return s
  return { ...s, exposedMs: totalExposureMs(s, nowMs), exposedSince: null }
}

/** A sensitive clip was opened (for the shift summary). */
export function countSensitiveClip(s: ExposureState): ExposureState {
  return { ...s, sensitiveClips: s.sensitiveClips + 1 }
}

export function isBreakDue(s: ExposureState, nowMs: number, spanMs: number): boolean {
  return spanExposureMs(s, nowMs) >= spanMs
}

/**
 * Milliseconds until the reminder becomes due if exposure goes on; 0 when due now, null
 * when it cannot become due without exposure (not exposed now and not due).
 */
export function msUntilBreakDue(s: ExposureState, nowMs: number, spanMs: number): number | null {
  const left = spanMs - spanExposureMs(s, nowMs)
  if (left <= 0) return 0
  return s.exposedSince === null ? null : left
}

function startNextSpan(s: ExposureState, nowMs: number): ExposureState {
  return { ...s, spanStartExposureMs: totalExposureMs(s, nowMs) }
}

/** "Not now": the next reminder comes after another full span of exposure. */
export function dismissReminder(s: ExposureState, nowMs: number): ExposureState {
  return { ...startNextSpan(s, nowMs), remindersDismissed: s.remindersDismissed + 1 }
}

/** The reviewer takes a break: counted, and the span starts again. */
export function takeBreak(s: ExposureState, nowMs: number): ExposureState {
  return { ...startNextSpan(s, nowMs), breaks: s.breaks + 1 }
}

export interface ShiftFigures {
  shiftMs: number
  exposureMs: number
  /** Share of the shift spent exposed, 0..1. */
  exposureShare: number
  breaks: number
  sensitiveClips: number
}

export function shiftFigures(s: ExposureState, nowMs: number): ShiftFigures {
  const shiftMs = Math.max(0, nowMs - s.sessionStartMs)
  const exposureMs = totalExposureMs(s, nowMs)
  return { shiftMs, exposureMs, exposureShare: shiftMs > 0 ? Math.min(1, exposureMs / shiftMs) : 0, breaks: s.breaks, sensitiveClips: s.sensitiveClips }
}
