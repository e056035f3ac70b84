import type { MatchedFrom } from '../shared/matched-from'

/** Plain-text tables for people; `--json` output is for scripts. */

const MAX_CELL = 40

function cell(value: unknown): string {
  const text = value === null || value === undefined || value === '' ? '-' : String(value)
  const flat = text.replace(/\s+/g, ' ')
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat
}

export function table(headers: string[], rows: unknown[][]): string {
  const cells = rows.map((r) => r.map(cell))
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)))
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')
  return [line(headers), ...cells.map(line)].join('\n')
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(1)} ${units[i]}`
}

/**
 * Where a decision applied from a known-content match came from: `demo-007 (93 %)`,
 * `demo-007 (same file)`, `list riots/e-42 (96 %) "Re-live"` (`team` for the team's hashes;
 * the label last, as a table cell cuts it; the list's version is in `--json`); empty for none.
 */
export function matchedFromText(m: MatchedFrom | null): string {
  if (!m) return ''
  const how = `(${m.sameFile ? 'same file' : `${Math.round(m.queryMatchPercent)} %`})`
  if (m.source === 'clip') return `${m.clipId} ${how}`
  return `${m.listSource === 'team' ? 'team' : 'list'} ${m.listId}/${m.entryId} ${how} ${JSON.stringify(m.label)}`
}
