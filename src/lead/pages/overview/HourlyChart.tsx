import { useTranslation } from 'react-i18next'
import type { Locale } from '../../../shared/policy'
import { formatDateTime, formatNumber } from '../../../ui/i18n/format'
import { busiestHour, hourlySeries, niceCeil, scaleLength } from './chart-scale'

/**
 * Decisions received per hour over the last 48 hours: a small column chart in inline SVG,
 * labelled with a summary in words (total, busiest hour), and the hours with decisions as
 * a table for anyone who wants the figures.
 */

const LEFT = 36
const TOP = 10
const PLOT_HEIGHT = 80
const COLUMN = 7
const GAP = 2
const BOTTOM = 22
/** Axis ticks, in hours before the current hour; the labelled ones. */
const MARKS = [48, 36, 24, 12, 0]
const LABELLED = new Set([48, 24, 0])

export function HourlyChart({ timeline, nowMs, locale }: { timeline: readonly { hour: string; decisions: number }[]; nowMs: number; locale: Locale }) {
  const { t } = useTranslation()
  const buckets = hourlySeries(timeline, nowMs)
  const total = buckets.reduce((sum, b) => sum + b.decisions, 0)
  if (total === 0) return <p className="muted">{t('overview.charts.noneReceived')}</p>
  const busiest = busiestHour(buckets)!
  const top = niceCeil(busiest.decisions)
  const width = LEFT + buckets.length * (COLUMN + GAP) + 8
  const height = TOP + PLOT_HEIGHT + BOTTOM
  const baseline = TOP + PLOT_HEIGHT
  const iso = (ms: number) => new Date(ms).toISOString()
  const summary = t('overview.charts.hourlySummary', {
    total: formatNumber(total, locale),
    time: formatDateTime(iso(busiest.hourMs), locale),
    n: formatNumber(busiest.decisions, locale),
  })
  const last = buckets.length - 1
  return (
    <>
      <div className="ov-chart-scroll">
        <svg className="ov-chart ov-columns" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={summary} data-testid="hourly-chart">
          <line className="ov-grid" x1={LEFT - 4} x2={width - 4} y1={TOP} y2={TOP} />
          <line className="ov-axis" x1={LEFT - 4} x2={width - 4} y1={baseline} y2={baseline} />
          <text className="ov-chart-number" x={LEFT - 8} y={TOP} textAnchor="end" dominantBaseline="central">
            {formatNumber(top, locale)}
          </text>
          <text className="ov-chart-number" x={LEFT - 8} y={baseline} textAnchor="end" dominantBaseline="central">
            {formatNumber(0, locale)}
          </text>
          {buckets.map((b, i) => {
            const h = scaleLength(b.decisions, top, PLOT_HEIGHT)
            return (
              <rect key={b.hourMs} className="ov-column" x={LEFT + i * (COLUMN + GAP)} y={baseline - h} width={COLUMN} height={h} data-count={b.decisions}>
                <title>{t('overview.charts.hourTitle', { time: formatDateTime(iso(b.hourMs), locale), n: formatNumber(b.decisions, locale) })}</title>
              </rect>
            )
          })}
          {MARKS.map((ago) => {
            const i = last - ago
            if (i < 0) return null
            const x = LEFT + i * (COLUMN + GAP) + COLUMN / 2
            return (
              <g key={ago}>
                <line className="ov-axis" x1={x} x2={x} y1={baseline} y2={baseline + 4} />
                {LABELLED.has(ago) && (
                  <text className="ov-chart-label" x={ago === 48 ? LEFT - 4 : x} y={baseline + 15} textAnchor={ago === 0 ? 'end' : ago === 48 ? 'start' : 'middle'}>
                    {ago === 0 ? t('overview.charts.thisHour') : t('overview.charts.hoursAgo', { n: formatNumber(ago, locale) })}
                  </text>
                )}
              </g>
            )
          })}
        </svg>
      </div>
      <details className="ov-figures">
        <summary>{t('overview.charts.hourlyTable')}</summary>
        <table className="lead-table ov-narrow">
          <thead>
            <tr>
              <th scope="col">{t('overview.charts.hourStarting')}</th>
              <th scope="col" className="num">
                {t('overview.charts.decisions')}
              </th>
            </tr>
          </thead>
          <tbody>
            {buckets
              .filter((b) => b.decisions > 0)
              .map((b) => (
                <tr key={b.hourMs}>
                  <td>{formatDateTime(iso(b.hourMs), locale)}</td>
                  <td className="num">{formatNumber(b.decisions, locale)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </>
  )
}
