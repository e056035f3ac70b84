import { useTranslation } from 'react-i18next'
import type { Locale } from '../../../shared/policy'
import { formatClipTime } from '../../../ui/i18n/format'

export interface TimelineLane {
  id: string
  label: string
  ranges: readonly { start_ms: number; end_ms: number; label: string }[]
}

interface Props {
  durationMs: number
  lanes: readonly TimelineLane[]
  /** Flag moments (ms into the clip). */
  marks: readonly number[]
  playheadMs: number
  locale: Locale
  onSeek(ms: number): void
}

const WIDTH = 1000
const LANE = 22
const LABEL = 150

/**
 * The reviewers' time ranges on one timeline, a lane each, with the flagged moments and
 * the playhead: where they saw the same thing and where not. A picture for the eye; every
 * range is also in the decision cards as text with a button to jump to it.
 */
export function DecisionTimeline({ durationMs, lanes, marks, playheadMs, locale, onSeek }: Props) {
  const { t } = useTranslation()
  const span = Math.max(1, durationMs)
  const x = (ms: number) => LABEL + (Math.min(Math.max(ms, 0), span) / span) * (WIDTH - LABEL)
  const height = (lanes.length + 1) * LANE + 8
  const summary = lanes
    .map((l) => `${l.label}: ${l.ranges.length === 0 ? t('clip.timelineNoRanges') : l.ranges.map((r) => `${formatClipTime(r.start_ms, locale)}–${formatClipTime(r.end_ms, locale)}`).join(', ')}`)
    .join('; ')
  return (
    <svg
      className="decision-timeline"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-label={t('clip.timelineLabel', { summary })}
      data-testid="decision-timeline"
      onClick={(e) => {
        const box = e.currentTarget.getBoundingClientRect()
        const at = ((e.clientX - box.left) / box.width) * WIDTH
        if (at >= LABEL) onSeek(Math.round(((at - LABEL) / (WIDTH - LABEL)) * span))
      }}
    >
      <text x={4} y={LANE - 7} className="tl-label">
        {t('clip.timelineFlags')}
      </text>
      <rect x={LABEL} y={4} width={WIDTH - LABEL} height={LANE - 6} className="tl-track" />
      {marks.map((m, i) => (
        <rect key={i} x={x(m) - 1.5} y={4} width={3} height={LANE - 6} className="tl-flag" />
      ))}
      {lanes.map((lane, i) => {
        const y = (i + 1) * LANE + 4
        return (
          <g key={lane.id} data-lane={lane.id}>
            <text x={4} y={y + LANE - 11} className="tl-label">
              {lane.label}
            </text>
            <rect x={LABEL} y={y} width={WIDTH - LABEL} height={LANE - 6} className="tl-track" />
            {lane.ranges.map((r, j) => (
              <rect key={j} x={x(r.start_ms)} y={y} width={Math.max(2, x(r.end_ms) - x(r.start_ms))} height={LANE - 6} className={`tl-range tl-range-${i % 4}`} />
            ))}
          </g>
        )
      })}
      <rect x={x(playheadMs) - 1} y={0} width={2} height={height} className="tl-playhead" />
    </svg>
  )
}
