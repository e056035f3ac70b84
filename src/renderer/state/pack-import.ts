import type { ImportProgress, ImportSummary } from '../../shared/domain'
import type { ApiError } from '../../shared/errors'
import type { HashListImportResult } from '../../shared/hash-lists'

/**
 * One pack import as the reviewer sees it: sending the zip to the host (web host only),
 * importing with the host's progress events, then the outcome. A hash list file given the
 * same way is imported as one.
 */
export type PackImport =
  | { kind: 'idle' }
  | { kind: 'uploading'; name: string; sent: number; total: number; cancelling: boolean }
  | { kind: 'importing'; importId: string; name: string; progress: ImportProgress | null; cancelling: boolean }
  | { kind: 'done'; name: string; summary: ImportSummary }
  /** The file was a hash list (docs/hash-list.md), told by its contents. */
  | { kind: 'listDone'; name: string; result: HashListImportResult }
  | { kind: 'failed'; name: string; error: ApiError }

export const IDLE: PackImport = { kind: 'idle' }

export function isRunning(s: PackImport): s is Extract<PackImport, { kind: 'uploading' | 'importing' }> {
  return s.kind === 'uploading' || s.kind === 'importing'
}

/** A progress event for this import (events for any other import are not ours). */
export function withProgress(s: PackImport, p: ImportProgress): PackImport {
  if (s.kind !== 'importing' || p.importId !== s.importId) return s
  return { ...s, progress: p }
}

/**
 * How far along, 0–1, or null while nothing says (the bar then shows as busy). Bytes are
 * the best measure (media dominate a pack's size); clips once pack.json was all there was.
 */
export function fractionDone(s: PackImport): number | null {
  if (s.kind === 'uploading') return s.total > 0 ? Math.min(1, s.sent / s.total) : null
  if (s.kind !== 'importing' || !s.progress) return null
  const { bytes, clips } = s.progress
  if (bytes.total) return Math.min(1, bytes.done / bytes.total)
  if (clips.total) return Math.min(1, clips.done / clips.total)
  return null
}

/** An id for `pack.import`, unique enough within one host's run. */
export function newImportId(random: () => number = Math.random, now: () => number = Date.now): string {
  return `imp-${now().toString(36)}-${Math.floor(random() * 36 ** 8)
    .toString(36)
    .padStart(8, '0')}`
}

/** The last path segment, for showing which pack this is. */
export function packName(pathOrName: string): string {
  const parts = pathOrName.split(/[\\/]+/).filter(Boolean)
  return parts[parts.length - 1] ?? pathOrName
}
