import { LEAD_ROUTES, type ExportRun } from '../../../shared/lead-api'
import { leadUrl } from '../../api/lead-client'

/**
 * DSA export runs as the page lists them. What the service skips, it counts by reason
 * (src/server/ops/export.ts): these are the reasons it knows today, in the order a lead
 * reads them; a reason added later is still shown, after these, under its own name.
 */
export const SKIP_REASONS = ['already_filed', 'not_restrictive', 'disputed', 'pending', 'unknown_action'] as const
export type SkipReason = (typeof SKIP_REASONS)[number]

export function isKnownReason(reason: string): reason is SkipReason {
  return (SKIP_REASONS as readonly string[]).includes(reason)
}

/** The reasons a run skipped clips for, with how many; none of zero. */
export function skippedEntries(skipped: Record<string, number>): [string, number][] {
  const rank = (r: string) => (isKnownReason(r) ? SKIP_REASONS.indexOf(r) : SKIP_REASONS.length)
  return Object.entries(skipped)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
}

/** Newest first (the service lists them so; a list merged with a new run stays so). */
export function newestFirst(runs: readonly ExportRun[]): ExportRun[] {
  const time = (r: ExportRun) => {
    const t = Date.parse(r.created_at)
    return Number.isNaN(t) ? 0 : t
  }
  return [...runs].sort((a, b) => time(b) - time(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
}

/** Where each of a run's files is downloaded, as filed (`GET /exports/:id/files/:idx`). */
export function runFileUrls(run: Pick<ExportRun, 'id' | 'files'>): string[] {
  return Array.from({ length: Math.max(0, run.files) }, (_, idx) => leadUrl(LEAD_ROUTES.exportFile.replace(':id', encodeURIComponent(run.id)).replace(':idx', String(idx))))
}

/** Who ran it: a lead (`lead:<id>` → the id), or null for the operator's command line. */
export function runAuthor(createdBy: string): string | null {
  if (createdBy === 'operator') return null
  return createdBy.startsWith('lead:') ? createdBy.slice('lead:'.length) : createdBy
}
