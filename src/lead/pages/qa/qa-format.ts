import type { AgreementReport } from '../../../shared/lead-api'
import type { Locale } from '../../../shared/policy'
import { formatNumber } from '../../../ui/i18n/format'

/**
 * How the agreement report's figures read. A figure the service leaves null (no pair of
 * decisions, or chance agreement total: every decision the same label) is shown as
 * words by the page, never as 0.
 */

/** A kappa with two decimals in the lead's locale ("0.72", "0,72"), or null. */
export function formatKappa(kappa: number | null, locale: Locale): string | null {
  if (kappa === null || !Number.isFinite(kappa)) return null
  return formatNumber(kappa, locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
}

/** A share in 0..1 as a percentage with at most one decimal ("87.5%", "87,5%"), or null. */
export function formatShare(share: number | null, locale: Locale): string | null {
  if (share === null || !Number.isFinite(share)) return null
  return formatNumber(share, locale, { style: 'percent', maximumFractionDigits: 1 })
}

export const KAPPA_STRENGTHS = ['poor', 'slight', 'fair', 'moderate', 'substantial', 'almostPerfect'] as const
export type KappaStrength = (typeof KAPPA_STRENGTHS)[number]

/**
 * The words commonly put on a kappa (Landis and Koch, 1977): below 0 poor, up to 0.20
 * slight, 0.40 fair, 0.60 moderate, 0.80 substantial, above almost perfect. The words say
 * what a colour would, so the meaning never rests on colour.
 */
export function kappaStrength(kappa: number | null): KappaStrength | null {
  if (kappa === null || !Number.isFinite(kappa)) return null
  if (kappa < 0) return 'poor'
  if (kappa <= 0.2) return 'slight'
  if (kappa <= 0.4) return 'fair'
  if (kappa <= 0.6) return 'moderate'
  if (kappa <= 0.8) return 'substantial'
  return 'almostPerfect'
}

export type KappaCell = AgreementReport['per_action'][string]

export interface LabelRow {
  id: string
  name: string
  cell: KappaCell
}

/**
 * Per-action or per-category figures as rows, in the policy's order (`order`: its ids);
 * labels the policy does not know come last, by name.
 */
export function labelRows(cells: Record<string, KappaCell>, name: (id: string) => string, order: readonly string[], locale: Locale): LabelRow[] {
  const rank = (id: string) => {
    const i = order.indexOf(id)
    return i < 0 ? order.length : i
  }
  return Object.entries(cells)
    .map(([id, cell]) => ({ id, name: name(id), cell }))
    .sort((x, y) => rank(x.id) - rank(y.id) || x.name.localeCompare(y.name, locale))
}

export interface ConfusionView {
  labels: string[]
  counts: number[][]
  /** Per row (earlier decision's action) and per column (later decision's). */
  rowTotals: number[]
  columnTotals: number[]
  total: number
  /** Pairs on the diagonal: both chose the same action. */
  agreed: number
}

/**
 * The confusion matrix with its sums, for the table's total row and column; rows and
 * columns in the policy's order (`order`: its action ids), labels it does not know last.
 */
export function confusionView(confusion: AgreementReport['confusion'], order: readonly string[] = []): ConfusionView {
  const rank = (id: string) => {
    const i = order.indexOf(id)
    return i < 0 ? order.length : i
  }
  const at = confusion.labels.map((_, i) => i).sort((x, y) => rank(confusion.labels[x]!) - rank(confusion.labels[y]!) || x - y)
  const labels = at.map((i) => confusion.labels[i]!)
  const counts = at.map((i) => at.map((j) => confusion.counts[i]?.[j] ?? 0))
  const rowTotals = labels.map((_, i) => (counts[i] ?? []).reduce((a, b) => a + b, 0))
  const columnTotals = labels.map((_, j) => counts.reduce((a, row) => a + (row[j] ?? 0), 0))
  const total = rowTotals.reduce((a, b) => a + b, 0)
  const agreed = labels.reduce((a, _, i) => a + (counts[i]?.[i] ?? 0), 0)
  return { labels, counts, rowTotals, columnTotals, total, agreed }
}

/** A reviewer as the report names them: their name, with the id when it differs. */
export function reviewerLabel(id: string, names: ReadonlyMap<string, string>): string {
  const name = names.get(id)
  return name && name !== id ? `${name} (${id})` : id
}
