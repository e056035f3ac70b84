import type { AgreementReport } from '../shared/lead-api'

/** `tinjau-server qa report` for a terminal: the figures a lead reads first, then the tables. */

const num = (v: number | null, digits = 3) => (v === null ? '—' : v.toFixed(digits))
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`)

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')).join('\n')
}

export function formatAgreementReport(r: AgreementReport): string {
  const window = `${r.from ?? 'the beginning'} to ${r.to ?? 'now'}${r.pack_id ? `, pack ${r.pack_id}` : ''}`
  const out = [`Agreement from ${window}: ${r.clips} clip(s) decided by two reviewers or more`]
  if (r.clips === 0) return out.join('\n')
  out.push(`  percent agreement (action)  ${pct(r.percent_agreement)}`, `  Fleiss' kappa (team)        ${num(r.fleiss_kappa)}`, '')
  out.push('Reviewer pairs', table([['pair', 'clips', 'agreement', 'kappa'], ...r.pairs.map((p) => [`${p.a} / ${p.b}`, String(p.n), pct(p.agreement), num(p.kappa)])]), '')
  out.push('Per action (one against the rest)', table([['action', 'agreement', 'kappa'], ...Object.entries(r.per_action).map(([k, v]) => [k, pct(v.agreement), num(v.kappa)])]), '')
  if (Object.keys(r.per_category).length > 0) {
    out.push('Per category', table([['category', 'agreement', 'kappa'], ...Object.entries(r.per_category).map(([k, v]) => [k, pct(v.agreement), num(v.kappa)])]), '')
  }
  const labels = r.confusion.labels
  out.push('Actions: earlier decision (rows) against later (columns)', table([['', ...labels], ...labels.map((l, i) => [l, ...r.confusion.counts[i]!.map(String)])]))
  return out.join('\n')
}
