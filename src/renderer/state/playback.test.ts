import { describe, expect, it } from 'vitest'
import {
  adjacentMarker,
  chatBursts,
  clampSpeed,
  DEFAULT_FPS,
  effectiveRate,
  fpsFromFrameDeltas,
  frameStepTarget,
  markerTimes,
  msAtPosition,
  PAUSED,
  percentOf,
  reverseTarget,
  shuttle,
  sliderKeyTarget,
  stepSpeed,
  timelineDurationMs,
  togglePlay,
  transcriptSpans,
} from './playback'

const line = (atMs: number, endMs: number | null = null) => ({ atMs, endMs, text: 't', author: null })

describe('speed', () => {
  it('steps through 0.5×–2× and stays in range', () => {
    expect(stepSpeed(1, 1)).toBe(1.25)
    expect(stepSpeed(1, -1)).toBe(0.75)
    expect(stepSpeed(2, 1)).toBe(2)
    expect(stepSpeed(0.5, -1)).toBe(0.5)
    expect(stepSpeed(1.1, 1)).toBe(1.25) // an odd rate goes to the next listed one
    expect(stepSpeed(1.1, -1)).toBe(1)
    expect(clampSpeed(8)).toBe(2)
    expect(clampSpeed(Number.NaN)).toBe(1)
  })
})

describe('J/K/L shuttle', () => {
  it('repeated presses speed up, the other way starts at ×1, Space pauses or plays', () => {
    let t = shuttle(PAUSED, 1)
    expect(t).toEqual({ direction: 1, shuttle: 1 })
    t = shuttle(t, 1)
    expect(t).toEqual({ direction: 1, shuttle: 2 })
    t = shuttle(shuttle(t, 1), 1)
    expect(t).toEqual({ direction: 1, shuttle: 4 }) // stays at the fastest
    expect(shuttle(t, -1)).toEqual({ direction: -1, shuttle: 1 })
    expect(shuttle(shuttle(t, -1), -1)).toEqual({ direction: -1, shuttle: 2 })
    expect(togglePlay(t)).toEqual(PAUSED)
    expect(togglePlay(PAUSED)).toEqual({ direction: 1, shuttle: 1 })
    expect(togglePlay({ direction: -1, shuttle: 2 })).toEqual(PAUSED)
  })

  it('applies the chosen speed times the shuttle', () => {
    expect(effectiveRate(1.5, { direction: 1, shuttle: 2 })).toBe(3)
    expect(effectiveRate(0.5, PAUSED)).toBe(0.5)
    expect(reverseTarget(10, 0.1, 2)).toBeCloseTo(9.8)
    expect(reverseTarget(0.05, 0.1, 1)).toBe(0)
  })
})

describe('frame stepping', () => {
  it('lands in the middle of the next or previous frame', () => {
    expect(frameStepTarget(0, 30, 1, 10)).toBeCloseTo(1.5 / 30)
    expect(frameStepTarget(1.5 / 30, 30, 1, 10)).toBeCloseTo(2.5 / 30)
    expect(frameStepTarget(2.5 / 30, 30, -1, 10)).toBeCloseTo(1.5 / 30)
    expect(frameStepTarget(1, 25, 1, null)).toBeCloseTo(1.06)
    expect(frameStepTarget(0, 30, -1, 10)).toBe(0)
    expect(frameStepTarget(9.99, 30, 1, 10)).toBe(10)
    expect(frameStepTarget(1, 0, 1, null)).toBeCloseTo((30 + 1.5) / DEFAULT_FPS)
  })

  it('estimates the frame rate from frame callbacks, snapping to common rates', () => {
    expect(fpsFromFrameDeltas([0.04, 0.04, 0.04])).toBeNull()
    expect(fpsFromFrameDeltas([0.04, 0.04, 0.0401, 0.0399, 0.04, 0.08])).toBe(25)
    expect(fpsFromFrameDeltas(Array(9).fill(1 / 29.97))).toBe(29.97)
    expect(fpsFromFrameDeltas(Array(9).fill(1 / 24))).toBe(24) // the nearest, not the first within 2% (23.976)
    expect(fpsFromFrameDeltas([0.067, 0.067, 0.066, 0.067, 0.067, 0.066])).toBe(15) // millisecond timestamps
    expect(fpsFromFrameDeltas(Array(9).fill(1 / 7))).toBe(7)
    expect(fpsFromFrameDeltas([0, -1, Number.NaN, 2, 0.04])).toBeNull()
  })
})

describe('flagged moments', () => {
  const times = markerTimes([{ atMs: 12000 }, { atMs: null }, { atMs: 3000 }, { atMs: 12000 }, { atMs: 20000 }])

  it('sorts flag times without duplicates', () => {
    expect(times).toEqual([3000, 12000, 20000])
  })

  it('finds the next and previous marker, skipping the one the playhead is on', () => {
    expect(adjacentMarker(times, 0, 1)).toBe(3000)
    expect(adjacentMarker(times, 3000, 1)).toBe(12000)
    expect(adjacentMarker(times, 3020, 1)).toBe(12000)
    expect(adjacentMarker(times, 12000, -1)).toBe(3000)
    expect(adjacentMarker(times, 15000, -1)).toBe(12000)
    expect(adjacentMarker(times, 20000, 1)).toBeNull()
    expect(adjacentMarker(times, 3000, -1)).toBeNull()
    expect(adjacentMarker([], 0, 1)).toBeNull()
  })
})

describe('timeline', () => {
  it('takes the media duration, else the video, else the segment', () => {
    const seg = { startMs: 1000, endMs: 31000 }
    expect(timelineDurationMs(7500, 8, seg, 0)).toBe(7500)
    expect(timelineDurationMs(null, 8, seg, 0)).toBe(8000)
    expect(timelineDurationMs(null, Number.NaN, seg, 0)).toBe(30000)
    expect(timelineDurationMs(null, null, { startMs: 0, endMs: 0 }, 4000)).toBe(5000)
  })

  it('converts positions and keys to times within the clip', () => {
    expect(percentOf(2500, 10000)).toBe(25)
    expect(percentOf(20000, 10000)).toBe(100)
    expect(msAtPosition(150, 100, 200, 10000)).toBe(2500)
    expect(msAtPosition(0, 100, 200, 10000)).toBe(0)
    expect(msAtPosition(999, 100, 200, 10000)).toBe(10000)
    expect(sliderKeyTarget('ArrowRight', false, 1000, 10000)).toBe(2000)
    expect(sliderKeyTarget('ArrowLeft', true, 1000, 10000)).toBe(0)
    expect(sliderKeyTarget('PageUp', false, 1000, 10000)).toBe(10000)
    expect(sliderKeyTarget('End', false, 1000, 10000)).toBe(10000)
    expect(sliderKeyTarget('Home', false, 1000, 10000)).toBe(0)
    expect(sliderKeyTarget('x', false, 1000, 10000)).toBeNull()
  })

  it('draws transcript lines as spans, to the next line when they have no end', () => {
    expect(transcriptSpans([line(1000, 2500), line(3000), line(4000), line(9000)], 10000)).toEqual([
      { startMs: 1000, endMs: 2500, index: 0, count: 1 },
      { startMs: 3000, endMs: 4000, index: 1, count: 1 },
      { startMs: 4000, endMs: 7000, index: 2, count: 1 },
      { startMs: 9000, endMs: 10000, index: 3, count: 1 },
    ])
  })

  it('groups chat lines close in time into bursts', () => {
    expect(chatBursts([line(1000), line(2000), line(5500), line(12000), line(30000), line(31000)])).toEqual([
      { startMs: 1000, endMs: 5500, index: 0, count: 3 },
      { startMs: 12000, endMs: 12000, index: 3, count: 1 },
      { startMs: 30000, endMs: 31000, index: 4, count: 2 },
    ])
    expect(chatBursts([])).toEqual([])
  })
})
