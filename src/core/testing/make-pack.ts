import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/**
 * Build field packs on disk for tests and benchmarks: real files, real hashes. Media are
 * small byte blobs (the importer checks hashes and sizes, not codecs).
 */

export interface FakeMedia {
  path: string
  sha256: string
  bytes: number
  mime: string
  duration_ms?: number
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex')
}

export function tempDir(prefix = 'tinjau-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix))
}

export function writeMedia(root: string, relPath: string, data: Buffer, mime = 'video/webm', durationMs = 30_000): FakeMedia {
  const full = path.join(root, ...relPath.split('/'))
  mkdirSync(path.dirname(full), { recursive: true })
  writeFileSync(full, data)
  return { path: relPath, sha256: sha256(data), bytes: data.length, mime, ...(mime.startsWith('image/') ? {} : { duration_ms: durationMs }) }
}

export function makeClip(id: string, media: FakeMedia, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    captured_at: '2025-08-29T13:05:10+07:00',
    media: { ...media, width: 640, height: 360 },
    stream: { id: `live-${id}`, title: `Stream ${id}`, started_at: '2025-08-29T12:40:00+07:00', region: 'ID-JK', language: 'id', commerce: true, viewer_peak: 100 },
    account: { id: `acct-${id}`, handle: `seller.${id}`, display_name: `Seller ${id}`, type: 'business', followers: 10, prior_strikes: 0 },
    segment: { start_ms: 1_510_000, end_ms: 1_540_000 },
    flags: [
      { source: 'classifier', label: 'violence.arson', score: 0.91, at_ms: 12_000 },
      { source: 'user_report', label: 'public_safety.provocation', count: 14 },
    ],
    transcript: [{ at_ms: 11_000, end_ms: 14_000, text: 'ayo kumpul' }],
    chat: [{ at_ms: 12_500, author: 'user123', text: 'bakar!' }],
    priority: 50,
    due_at: '2025-08-29T17:05:10+07:00',
    ...overrides,
  }
}

export function makeManifest(clips: unknown[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: 'tinjau.pack',
    version: 1,
    pack_id: 'pk-test-01',
    created_at: '2025-09-04T08:00:00Z',
    issuer: { name: 'T&S Test' },
    policy: { id: 'live-safety', version: '2025.09' },
    clips,
    ...overrides,
  }
}

export function writeManifest(root: string, manifest: unknown): void {
  writeFileSync(path.join(root, 'pack.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest))
}

/** A valid pack of `n` clips sharing `mediaCount` media files. Returns its folder. */
export function makePack(n: number, opts: { mediaCount?: number; packId?: string; root?: string } = {}): string {
  const root = opts.root ?? tempDir('tinjau-pack-')
  const media = Array.from({ length: Math.max(1, opts.mediaCount ?? 1) }, (_, i) =>
    writeMedia(root, `media/clip-${i}.webm`, Buffer.from(`fake webm bytes ${i} `.repeat(64))),
  )
  const clips = Array.from({ length: n }, (_, i) => makeClip(`clip-${String(i).padStart(6, '0')}`, media[i % media.length]!, { priority: i % 101 }))
  writeManifest(root, makeManifest(clips, opts.packId ? { pack_id: opts.packId } : {}))
  return root
}
