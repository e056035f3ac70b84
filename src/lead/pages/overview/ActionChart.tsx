import { useTranslation } from 'react-i18next'
import type { Locale, Policy } from '../../../shared/policy'
import { formatNumber } from '../../../ui/i18n/format'
import { actionName } from '../../../ui/i18n/policy-text'
import { actionRows, scaleLength } from './chart-scale'

/**
 * Decisions in force per action: horizontal bars in inline SVG, each with its action's
 * name and its number written beside it; the image's label says the same in words.
 */

const WIDTH = 480
const LABEL_WIDTH = 150
const NUMBER_WIDTH = 56
const ROW = 24
const BAR = 14
const MAX_LABEL = 22

function clip(text: string): string {
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text
}

export function ActionChart({ actions, policy, locale }: { actions: Record<string, number>; policy: Policy; locale: Locale }) {
  const { t } = useTranslation()
  const rows = actionRows(
    actions,
    policy.actions.map((a) => a.id),
  ).map((r) => ({ ...r, name: actionName(policy, r.id, locale) }))
  if (rows.length === 0) return <p className="muted">{t('overview.charts.noDecisions')}</p>
  const max = Math.max(...rows.map((r) => r.decisions))
  const total = rows.reduce((sum, r) => sum + r.decisions, 0)
  const barArea = WIDTH - LABEL_WIDTH - NUMBER_WIDTH
  const height = rows.length * ROW + 4
  const list = rows.map((r) => t('overview.charts.actionItem', { action: r.name, n: formatNumber(r.decisions, locale) })).join(', ')
  return (
    <div className="ov-chart-scroll">
      <svg
        className="ov-chart ov-bars"
        viewBox={`0 0 ${WIDTH} ${height}`}
        width={WIDTH}
        height={height}
        role="img"
        aria-label={t('overview.charts.actionsSummary', { total: formatNumber(total, locale), list })}
        data-testid="action-chart"
      >
        {rows.map((r, i) => {
          const y = i * ROW + 2
          const length = scaleLength(r.decisions, max, barArea - 8)
          return (
            <g key={r.id} data-action={r.id} data-count={r.decisions}>
              {r.name.length > MAX_LABEL && <title>{r.name}</title>}
              <text className="ov-chart-label" x={LABEL_WIDTH - 8} y={y + ROW / 2} textAnchor="end" dominantBaseline="central">
                {clip(r.name)}
              </text>
              <rect className="ov-bar" x={LABEL_WIDTH} y={y + (ROW - BAR) / 2} width={length} height={BAR} rx={2} />
              <text className="ov-chart-number" x={LABEL_WIDTH + length + 6} y={y + ROW / 2} dominantBaseline="central">
                {formatNumber(r.decisions, locale)}
              </text>
            </g>
          )
        })}
      </svg>
    </div>
  )
}
