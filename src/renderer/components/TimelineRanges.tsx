import type { KeyboardEvent, PointerEvent, RefObject } from 'react'
import { useTranslation } from 'react-i18next'
import type { Locale } from '../../shared/policy'
import { formatClipTime } from '../../ui/i18n/format'
import type { FormState, RangeDraft } from '../state/decision-form'
import { drawableRanges, moveRangeEdge, rangeEdgeKeyTarget } from '../state/range-edit'
import { msAtPosition, percentOf } from '../state/playback'

export interface RangeEditing {
  ranges: readonly RangeDraft[]
  selectedRange: number | null
  marks: FormState['marks']
  onSelect: (key: number | null) => void
  onChange: (key: number, patch: Pick<RangeDraft, 'startMs' | 'endMs'>) => void
}

interface Props extends RangeEditing {
  durationMs: number
  locale: Locale
  /** The timeline's track: pointer positions are read against it. */
  trackRef: RefObject<HTMLDivElement | null>
  onSeek: (ms: number) => void
}

/**
 * The decision's time ranges under the timeline's track: one button per range (choose it
 * to edit it; `I` / `O` then move its edges), and for the chosen range two handles that
 * drag with the pointer or move with the arrow keys. Marks set with `I` / `O` that do
 * not make a range yet are shown, and said, until the other end is set.
 */
export function TimelineRanges({ ranges, selectedRange, marks, onSelect, onChange, durationMs, locale, trackRef, onSeek }: Props) {
  const { t } = useTranslation()
  const time = (ms: number) => formatClipTime(ms, locale)
  const left = (ms: number) => `${percentOf(ms, durationMs)}%`
  const width = (r: RangeDraft) => `${Math.max(0, percentOf(r.endMs, durationMs) - percentOf(r.startMs, durationMs))}%`
  const valid = drawableRanges(ranges)

  const msAt = (clientX: number): number | null => {
    const rect = trackRef.current?.getBoundingClientRect()
    return rect ? msAtPosition(clientX, rect.left, rect.width, durationMs) : null
  }
  const handleEvents = (r: RangeDraft, edge: 'start' | 'end', n: number) => ({
    onPointerDown: (e: PointerEvent<HTMLSpanElement>) => {
      if (e.button !== 0) return
      e.preventDefault()
      e.currentTarget.setPointerCapture(e.pointerId)
      e.currentTarget.focus()
    },
    onPointerMove: (e: PointerEvent<HTMLSpanElement>) => {
      if (!e.currentTarget.hasPointerCapture(e.pointerId)) return
      const ms = msAt(e.clientX)
      if (ms !== null) onChange(r.key, moveRangeEdge(r, edge, ms))
    },
    onKeyDown: (e: KeyboardEvent<HTMLSpanElement>) => {
      if (e.key === 'Escape') {
        e.preventDefault()
        onSelect(null)
        return
      }
      if (e.ctrlKey || e.metaKey || e.altKey) return
      const target = rangeEdgeKeyTarget(e.key, e.shiftKey, edge === 'start' ? r.startMs : r.endMs, durationMs)
      if (target === null) return
      e.preventDefault()
      onChange(r.key, moveRangeEdge(r, edge, target))
    },
    role: 'slider' as const,
    tabIndex: 0,
    'aria-label': t(edge === 'start' ? 'ranges.startHandle' : 'ranges.endHandle', { n }),
    'aria-valuemin': 0,
    'aria-valuemax': Math.round(durationMs),
    'aria-valuenow': Math.round(edge === 'start' ? r.startMs : r.endMs),
    'aria-valuetext': time(edge === 'start' ? r.startMs : r.endMs),
  })

  const pending = marks.inMs !== null ? { edge: 'in' as const, ms: marks.inMs } : marks.outMs !== null ? { edge: 'out' as const, ms: marks.outMs } : null

  return (
    <div className="timeline-ranges" data-testid="timeline-ranges">
      <ul className="timeline-range-strip" aria-label={t('ranges.strip')}>
        {valid.map((r) => {
          const n = ranges.indexOf(r) + 1
          const selected = r.key === selectedRange
          const name = t('ranges.bar', { n, start: time(r.startMs), end: time(r.endMs), label: r.label || t('ranges.unlabelled') })
          return (
            <li key={r.key} className={selected ? 'is-selected' : undefined} style={{ left: left(r.startMs), width: width(r) }}>
              <button
                type="button"
                className="timeline-range"
                aria-pressed={selected}
                aria-label={name}
                title={name}
                data-testid="timeline-range"
                data-start-ms={r.startMs}
                data-end-ms={r.endMs}
                onClick={() => {
                  onSelect(selected ? null : r.key)
                  if (!selected) onSeek(r.startMs)
                }}
                onKeyDown={(e) => {
                  if (e.key === 'Escape' && selected) {
                    e.preventDefault()
                    onSelect(null)
                  }
                }}
              >
                <span className="timeline-range-label">{r.label || n}</span>
              </button>
              {selected && (
                <>
                  <span className="timeline-range-handle is-start" data-testid="range-handle-start" {...handleEvents(r, 'start', n)} />
                  <span className="timeline-range-handle is-end" data-testid="range-handle-end" {...handleEvents(r, 'end', n)} />
                </>
              )}
            </li>
          )
        })}
        {pending && (
          <li className={`timeline-mark is-${pending.edge}`} style={{ left: left(pending.ms) }} aria-hidden="true" data-testid={`timeline-mark-${pending.edge}`} />
        )}
      </ul>
      <p className="timeline-range-status small" aria-live="polite" data-testid="range-status">
        {pending
          ? t(pending.edge === 'in' ? 'ranges.pendingIn' : 'ranges.pendingOut', { time: time(pending.ms) })
          : selectedRange !== null && ranges.some((r) => r.key === selectedRange)
            ? t('ranges.editing', { n: ranges.findIndex((r) => r.key === selectedRange) + 1 })
            : ''}
      </p>
    </div>
  )
}
