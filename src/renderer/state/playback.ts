import type { ClipFlag, TimedLine } from '../../shared/domain'

/**
 * Playback logic, pure so it is tested without a DOM: the J/K/L shuttle, the speed
 * control, frame stepping, flagged-moment jumps and the timeline's lanes. The video
 * element is driven from these in `components/usePlayback.ts`.
 */

// ---------------------------------------------------------------------------------
// Speed (the reviewer's chosen rate, 0.5×–2×) and the J/K/L shuttle (×1, ×2, ×4 on top)

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2] as const
export const MIN_SPEED = SPEEDS[0]
export const MAX_SPEED = SPEEDS[SPEEDS.length - 1]!

/** Repeated J or L presses step through these multipliers (and stay at the last). */
export const SHUTTLE_STEPS = [1, 2, 4] as const

export function clampSpeed(speed: number): number {
  if (!Number.isFinite(speed)) return 1
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed))
}

/** The next listed speed up (`step` 1) or down (-1) from `speed`, staying in range. */
export function stepSpeed(speed: number, step: 1 | -1): number {
  const s = clampSpeed(speed)
  if (step > 0) return SPEEDS.find((v) => v > s + 1e-9) ?? MAX_SPEED
  return [...SPEEDS].reverse().find((v) => v < s - 1e-9) ?? MIN_SPEED
}

export type Direction = -1 | 0 | 1

/** Where the shuttle is: paused (0), playing forward (1) or backward (-1), and how fast. */
export interface Transport {
  direction: Direction
  /** One of SHUTTLE_STEPS; 1 while paused. */
  shuttle: number
}

export const PAUSED: Transport = { direction: 0, shuttle: 1 }

/** L (`dir` 1) or J (-1): start that way at ×1, or go one step faster if already going that way. */
export function shuttle(t: Transport, dir: 1 | -1): Transport {
  if (t.direction !== dir) return { direction: dir, shuttle: SHUTTLE_STEPS[0] }
  const i = SHUTTLE_STEPS.findIndex((s) => s === t.shuttle)
  return { direction: dir, shuttle: SHUTTLE_STEPS[Math.min(SHUTTLE_STEPS.length - 1, i + 1)] ?? SHUTTLE_STEPS[0] }
}

/** Space: pause whatever is playing, or play forward at ×1. */
export function togglePlay(t: Transport): Transport {
  return t.direction === 0 ? { direction: 1, shuttle: 1 } : PAUSED
}

/** The media rate to apply: the chosen speed times the shuttle multiplier. */
export function effectiveRate(speed: number, t: Transport): number {
  return clampSpeed(speed) * (t.direction === 0 ? 1 : t.shuttle)
}

/** Browsers do not play backwards: reverse play steps currentTime back on a timer. */
export function reverseTarget(currentS: number, elapsedS: number, rate: number): number {
  return Math.max(0, currentS - Math.max(0, elapsedS) * rate)
}

// ---------------------------------------------------------------------------------
// Frames

export const DEFAULT_FPS = 30
const COMMON_FPS = [10, 12, 15, 20, 23.976, 24, 25, 29.97, 30, 48, 50, 59.94, 60]

/**
 * The time to seek to for one frame forward (`step` 1) or back (-1) from `currentS`:
 * the middle of the neighbouring frame, so rounding never lands on the wrong one.
 */
export function frameStepTarget(currentS: number, fps: number, step: 1 | -1, durationS: number | null): number {
  const rate = Number.isFinite(fps) && fps > 0 ? fps : DEFAULT_FPS
  const frame = Math.floor(Math.max(0, currentS) * rate + 1e-6)
  let target = (frame + step + 0.5) / rate
  if (durationS !== null && Number.isFinite(durationS) && durationS > 0) target = Math.min(target, durationS)
  return Math.max(0, target)
}

/**
 * The frame rate from requestVideoFrameCallback samples: `mediaTime` differences
 * between callbacks that presented exactly one new frame. The median is taken and
 * snapped to the nearest common rate when within 2% (media timestamps are often whole
 * milliseconds: 15 fps shows as 67, 67, 66 ms). Null until there are at least 5 samples.
 */
export function fpsFromFrameDeltas(deltasS: readonly number[]): number | null {
  const ds = deltasS.filter((d) => Number.isFinite(d) && d > 0.002 && d < 0.5).sort((a, b) => a - b)
  if (ds.length < 5) return null
  const median = ds[Math.floor(ds.length / 2)]!
  const fps = 1 / median
  const off = (c: number) => Math.abs(c - fps) / c
  const nearest = COMMON_FPS.reduce((best, c) => (off(c) < off(best) ? c : best))
  return off(nearest) < 0.02 ? nearest : Math.round(fps * 100) / 100
}

// ---------------------------------------------------------------------------------
// Flagged moments

/** Within this of a marker counts as "on" it, so `]` on a marker goes to the next one. */
export const MARKER_TOLERANCE_MS = 50

/** Every flag time, sorted and without duplicates. */
export function markerTimes(flags: readonly Pick<ClipFlag, 'atMs'>[]): number[] {
  const times = flags.map((f) => f.atMs).filter((t): t is number => t !== null && Number.isFinite(t))
  return [...new Set(times)].sort((a, b) => a - b)
}

/** The next (`step` 1) or previous (-1) marker from `ms`, or null when there is none. */
export function adjacentMarker(times: readonly number[], ms: number, step: 1 | -1): number | null {
  if (step > 0) return times.find((t) => t > ms + MARKER_TOLERANCE_MS) ?? null
  for (let i = times.length - 1; i >= 0; i--) {
    const t = times[i]!
    if (t < ms - MARKER_TOLERANCE_MS) return t
  }
  return null
}

// ---------------------------------------------------------------------------------
// Timeline

/** How long the timeline is: the media's duration, else the video's, else the segment's. */
export function timelineDurationMs(
  mediaDurationMs: number | null,
  videoDurationS: number | null,
  segment: { startMs: number; endMs: number },
  latestMs: number,
): number {
  const candidates = [mediaDurationMs, videoDurationS !== null ? videoDurationS * 1000 : null, segment.endMs - segment.startMs]
  const found = candidates.find((c): c is number => c !== null && Number.isFinite(c) && c > 0)
  return Math.max(1, found ?? latestMs + 1000)
}

export function clampMs(ms: number, durationMs: number): number {
  if (!Number.isFinite(ms)) return 0
  return Math.round(Math.min(Math.max(0, durationMs), Math.max(0, ms)))
}

/** A position as a percentage of the timeline (for CSS `left` / `width`). */
export function percentOf(ms: number, durationMs: number): number {
  if (durationMs <= 0) return 0
  return (clampMs(ms, durationMs) / durationMs) * 100
}

/** The time at a pointer `x` within a track that starts at `left` and is `width` wide. */
export function msAtPosition(x: number, left: number, width: number, durationMs: number): number {
  if (width <= 0) return 0
  return clampMs(((x - left) / width) * durationMs, durationMs)
}

/** How far a slider's keys move it: arrows (`shiftStep` with Shift), Page Up / Down (none when null). */
export interface SliderSteps {
  step: number
  shiftStep: number
  pageStep: number | null
}

/** The timeline's: 1 s, 5 s with Shift, 10 s a page. */
export const TIMELINE_STEPS: SliderSteps = { step: 1000, shiftStep: 5000, pageStep: 10_000 }

/** Where a key moves a time slider (ARIA slider keys), within the clip, or null if it does not. */
export function sliderKeyTarget(key: string, shiftKey: boolean, ms: number, durationMs: number, steps: SliderSteps = TIMELINE_STEPS): number | null {
  const small = shiftKey ? steps.shiftStep : steps.step
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowDown':
      return clampMs(ms - small, durationMs)
    case 'ArrowRight':
    case 'ArrowUp':
      return clampMs(ms + small, durationMs)
    case 'PageDown':
      return steps.pageStep === null ? null : clampMs(ms - steps.pageStep, durationMs)
    case 'PageUp':
      return steps.pageStep === null ? null : clampMs(ms + steps.pageStep, durationMs)
    case 'Home':
      return 0
    case 'End':
      return clampMs(durationMs, durationMs)
    default:
      return null
  }
}

export interface Span {
  startMs: number
  endMs: number
  /** Index of the (first) line it stands for. */
  index: number
  count: number
}

/** A transcript line without an end lasts until the next line, at most this long. */
export const DEFAULT_LINE_MS = 3000

/** Transcript lines as spans: `at_ms`..`end_ms`, or until the next line when there is no end. */
export function transcriptSpans(lines: readonly TimedLine[], durationMs: number): Span[] {
  return lines.map((line, i) => {
    const next = lines[i + 1]?.atMs
    const fallback = Math.min(line.atMs + DEFAULT_LINE_MS, next !== undefined && next > line.atMs ? next : Infinity)
    const end = line.endMs !== null && line.endMs > line.atMs ? line.endMs : fallback
    return { startMs: clampMs(line.atMs, durationMs), endMs: clampMs(end, durationMs), index: i, count: 1 }
  })
}

/** Chat lines this close to the previous one belong to the same burst. */
export const BURST_GAP_MS = 4000

/** Chat lines grouped into bursts of lines close in time (lines come in time order). */
export function chatBursts(lines: readonly TimedLine[], gapMs = BURST_GAP_MS): Span[] {
  const bursts: Span[] = []
  let current: Span | null = null
  lines.forEach((line, i) => {
    if (current && line.atMs - current.endMs <= gapMs) {
      current.endMs = Math.max(current.endMs, line.atMs)
      current.count++
    } else {
      current = { startMs: line.atMs, endMs: line.atMs, index: i, count: 1 }
      bursts.push(current)
    }
  })
  return bursts
}
