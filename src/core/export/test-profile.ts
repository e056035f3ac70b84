import { rmSync } from 'node:fs'
import { DecisionDraft, type DecisionDraftInput } from '../../shared/policy'
import type { DecisionRecord } from '../../shared/domain'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../testing/make-pack'
import { openTestTinjau } from '../testing/open-test-tinjau'
import type { Tinjau } from '../tinjau'
import { exportSource, type ExportSource } from './source'

/**
 * Export tests' profiles: a real store with real packs, decisions recorded through the
 * real handlers, and a clock the test moves (decided_at is what selections filter on).
 */

export interface TestProfile {
  t: Tinjau & { dataDir: string }
  source: ExportSource
  /** Set the time the next decisions are recorded at. */
  at(iso: string): void
  record(input: DecisionDraftInput): DecisionRecord
  /** Import a pack of these clips (overrides per clip, merged over makeClip's defaults). */
  importPack(packId: string, clips: { id: string; overrides?: Record<string, unknown> }[], header?: Record<string, unknown>): Promise<void>
  /** A folder removed with the profile. */
  scratch(prefix?: string): string
  close(): void
}

export function openExportProfile(): TestProfile {
  let now = new Date('2025-09-01T08:00:00.000Z')
  const t = openTestTinjau(undefined, { now: () => now })
  const dirs: string[] = [t.dataDir]
  const scratch = (prefix = 'tinjau-export-') => {
    const d = tempDir(prefix)
    dirs.push(d)
    return d
  }
  return {
    t,
    source: exportSource(t),
    at(iso) {
      now = new Date(iso)
    },
    record: (input) => t.handlers['decision.record'](DecisionDraft.parse(input)),
    async importPack(packId, clips, header = {}) {
      const root = scratch('tinjau-pack-')
      const media = writeMedia(root, 'media/clip.webm', Buffer.from(`media of ${packId} `.repeat(32)))
      writeManifest(root, makeManifest(clips.map((c) => makeClip(c.id, media, c.overrides ?? {})), { pack_id: packId, ...header }))
      await t.handlers['pack.importDirectory']({ path: root })
    },
    scratch,
    close() {
      t.close()
      for (const d of dirs) rmSync(d, { recursive: true, force: true })
    },
  }
}

/** `n` clip ids `<prefix>-000`, `<prefix>-001`, … */
export function clipIds(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`)
}
