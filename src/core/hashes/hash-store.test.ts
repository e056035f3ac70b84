import { afterEach, describe, expect, test } from 'vitest'
import { dispatch } from '../../shared/dispatch'
import { HASHER_ID, MAX_HASH_ATTEMPTS, type FrameHash } from '../../shared/frame-hashes'
import { formatHash256, hammingDistance } from '../../shared/pdq/hash256'
import { makePack } from '../testing/make-pack'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { refusedWithoutChange } from '../testing/expect-refused'
import { snapshotRows } from '../testing/store-snapshot'
import type { Tinjau } from '../tinjau'

let open: (Tinjau & { dataDir: string })[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

function profile(dataDir?: string) {
  const t = openTestTinjau(dataDir)
  open.push(t)
  return t
}

/** `n` frames of `perFrame` hashes each (the picture whole and its crops), all different. */
function frames(n: number, seed = 1, perFrame = 4): FrameHash[] {
  return Array.from({ length: n }, (_, i) => ({
    tMs: i * 1000,
    hashes: Array.from({ length: perFrame }, (_, k) => ({
      hash: formatHash256(Uint32Array.from({ length: 8 }, (_, w) => Math.imul(seed * 7919 + i * 104729 + k * 131 + w, 2654435761) >>> 0)),
      quality: 100 - i - k,
    })),
  }))
}

/** Every job the store hands out until it has none, answered by `answer`. */
function drain(t: Tinjau, answer: (sha256: string, kind: string) => void): string[] {
  const seen: string[] = []
  for (let job = t.handlers['hashes.next']({}).job; job; job = t.handlers['hashes.next']({}).job) {
    seen.push(`${job.kind}:${job.mime}`)
    answer(job.sha256, job.kind)
  }
  return seen
}

describe('the profile’s perceptual hashes', () => {
  test('the demo pack’s videos and posters are handed out once each, clips still to decide first, and kept', async () => {
    const t = profile()
    await t.handlers['pack.importDemo']({})
    const media = t.store.sqlite
      .prepare(`SELECT count(DISTINCT sha) FROM (SELECT media_sha256 AS sha FROM clips UNION ALL SELECT poster_sha256 FROM clips WHERE poster_sha256 IS NOT NULL)`)
      .pluck()
      .get() as number
    expect(t.handlers['hashes.status']({})).toEqual({ total: media, hashed: 0, failed: 0, waiting: media })

    const stored = new Map<string, FrameHash[]>()
    const kinds = drain(t, (sha256, kind) => {
      const fs = frames(kind === 'video' ? 8 : 1, stored.size + 1)
      stored.set(sha256, fs)
      t.handlers['hashes.record']({ outcome: 'hashed', sha256, hasher: HASHER_ID, frames: fs })
    })
    expect(kinds.length).toBe(media)
    expect(new Set(stored.keys()).size).toBe(media)
    expect(kinds.some((k) => k.startsWith('video:video/'))).toBe(true)
    expect(kinds.some((k) => k.startsWith('image:image/'))).toBe(true)
    expect(t.handlers['hashes.status']({})).toEqual({ total: media, hashed: media, failed: 0, waiting: 0 })

    const [sha, fs] = [...stored][0]!
    const back = t.hashes.frames(sha)!
    expect(back.timesMs.length).toBe(fs.length)
    expect(back.hashesPerFrame).toBe(4)
    fs.forEach((f, i) => {
      f.hashes.forEach((h, k) => {
        expect(formatHash256(back.hashes, (i * 4 + k) * 8)).toBe(h.hash)
        expect(back.qualities[i * 4 + k]).toBe(h.quality)
      })
      expect(back.timesMs[i]).toBe(f.tMs)
    })
    expect([...t.hashes.allFrames()].length).toBe(media)
  })

  test('the order follows the queue: a decided clip’s media come after the media of clips still to decide', async () => {
    const t = profile()
    await t.handlers['pack.importDirectory']({ path: makePack(3, { mediaCount: 3 }) })
    const mediaOf = (id: string) => t.store.sqlite.prepare('SELECT media_sha256 FROM clips WHERE id = ?').pluck().get(id) as string
    t.store.sqlite.prepare("UPDATE clips SET status = 'decided' WHERE id = 'clip-000000'").run()
    const order: string[] = []
    drain(t, (sha256) => {
      order.push(sha256)
      t.handlers['hashes.record']({ outcome: 'hashed', sha256, hasher: HASHER_ID, frames: frames(2) })
    })
    expect(order.at(-1)).toBe(mediaOf('clip-000000'))
  })

  test('new clips after everything was hashed bring new work; the counts follow', async () => {
    const t = profile()
    await t.handlers['pack.importDirectory']({ path: makePack(2, { mediaCount: 2, packId: 'pack-a' }) })
    drain(t, (sha256) => t.handlers['hashes.record']({ outcome: 'hashed', sha256, hasher: HASHER_ID, frames: frames(3) }))
    expect(t.handlers['hashes.next']({})).toEqual({ job: null, status: { total: 2, hashed: 2, failed: 0, waiting: 0 } })
    await t.handlers['pack.importDemo']({})
    const { job, status } = t.handlers['hashes.next']({})
    expect(job).not.toBeNull()
    expect(status.waiting).toBe(status.total - 2)
  })

  test('a file the hasher cannot decode is marked failed with its reason and not handed out again', async () => {
    const t = profile()
    await t.handlers['pack.importDirectory']({ path: makePack(1) })
    const job = t.handlers['hashes.next']({}).job!
    const status = t.handlers['hashes.record']({ outcome: 'failed', sha256: job.sha256, error: 'MEDIA_ERR_SRC_NOT_SUPPORTED: not a video Chromium can decode' })
    expect(status).toEqual({ total: 1, hashed: 0, failed: 1, waiting: 0 })
    expect(t.handlers['hashes.next']({}).job).toBeNull()
    const row = t.store.sqlite.prepare('SELECT status, error FROM media_hashes WHERE sha256 = ?').get(job.sha256)
    expect(row).toEqual({ status: 'failed', error: 'MEDIA_ERR_SRC_NOT_SUPPORTED: not a video Chromium can decode' })
  })

  test('a claim left unanswered by a stopped app is handed out again after a restart, and given up after the last try', async () => {
    const dir = profile().dataDir
    await open[0]!.handlers['pack.importDirectory']({ path: makePack(1) })
    open[0]!.close()
    open = []
    let sha = ''
    for (let attempt = 1; attempt <= MAX_HASH_ATTEMPTS; attempt++) {
      const t = profile(dir)
      const job = t.handlers['hashes.next']({}).job
      expect(job, `claim ${attempt}`).not.toBeNull()
      sha = job!.sha256
      // The same process does not hand out what it is hashing twice (two windows).
      expect(t.handlers['hashes.next']({}).job).toBeNull()
      t.close()
      open = []
    }
    const t = profile(dir)
    expect(t.handlers['hashes.next']({}).job).toBeNull()
    const row = t.store.sqlite.prepare('SELECT status, attempts, error FROM media_hashes WHERE sha256 = ?').get(sha) as Record<string, unknown>
    expect(row.status).toBe('failed')
    expect(row.attempts).toBe(MAX_HASH_ATTEMPTS)
    expect(row.error).toMatch(/stopped 3 times/)
    expect(t.handlers['hashes.status']({})).toMatchObject({ failed: 1, waiting: 0 })
  })

  test('a new answer replaces an old one, and listeners get the frames as they are stored', async () => {
    const t = profile()
    await t.handlers['pack.importDirectory']({ path: makePack(1) })
    const got: number[] = []
    t.hashes.onHashed((f) => got.push(hammingDistance(f.hashes, f.hashes, 0, 8)))
    const sha = t.handlers['hashes.next']({}).job!.sha256
    t.handlers['hashes.record']({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: frames(2, 1) })
    t.handlers['hashes.record']({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: frames(2, 2) })
    expect(got).toHaveLength(2)
    expect(t.hashes.frames(sha)!.timesMs.length).toBe(2)
    expect(formatHash256(t.hashes.frames(sha)!.hashes, 0)).toBe(frames(2, 2)[0]!.hashes[0]!.hash)
    expect(t.handlers['hashes.status']({})).toEqual({ total: 1, hashed: 1, failed: 0, waiting: 0 })
  })

  test('a profile hashed by pdq/1fps/v1 has its media hashed again, and its old rows are never read as frames', async () => {
    const t = profile()
    await t.handlers['pack.importDirectory']({ path: makePack(1) })
    const sha = t.handlers['hashes.next']({}).job!.sha256
    t.handlers['hashes.record']({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: frames(2) })
    // What a profile hashed before v2 holds: one hash a frame, under the old hasher's name.
    t.store.sqlite.prepare("UPDATE media_hashes SET hasher = 'pdq/1fps/v1', qualities = ?, hashes = ? WHERE sha256 = ?").run(Buffer.from([90, 90]), Buffer.alloc(64), sha)
    t.hashes.clipsChanged()
    expect(t.handlers['hashes.status']({})).toEqual({ total: 1, hashed: 0, failed: 0, waiting: 1 })
    expect(t.hashes.frames(sha)).toBeNull()
    expect([...t.hashes.allFrames()]).toEqual([])
    expect(t.handlers['hashes.next']({}).job!.sha256).toBe(sha)
    t.handlers['hashes.record']({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: frames(3) })
    expect(t.hashes.frames(sha)).toMatchObject({ hashesPerFrame: 4, timesMs: Uint32Array.from([0, 1000, 2000]) })
  })

  describe('bad answers are refused and change nothing', () => {
    const cases: [string, (sha: string) => unknown, RegExp][] = [
      ['a hash that is not 64 hex characters', (sha) => ({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: [{ tMs: 0, hashes: [{ hash: 'ABC', quality: 50 }] }] }), /frames\.0\.hashes\.0\.hash/],
      ['times that go backwards', (sha) => ({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: [...frames(2)].reverse() }), /frame times must increase/],
      ['a quality over 100', (sha) => ({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: [{ tMs: 0, hashes: [{ ...frames(1)[0]!.hashes[0]!, quality: 101 }] }] }), /quality/],
      ['a frame without hashes', (sha) => ({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: [{ tMs: 0, hashes: [] }] }), /frames\.0\.hashes/],
      ['a frame with more than 8 hashes', (sha) => ({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: frames(1, 1, 9) }), /frames\.0\.hashes/],
      ['frames with different numbers of hashes', (sha) => ({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: [...frames(1, 1, 4), { ...frames(2, 1, 3)[1]! }] }), /same number of hashes/],
      ['frames in the old one-hash form', (sha) => ({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: [{ tMs: 0, hash: '0'.repeat(64), quality: 90 }] }), /frames\.0/],
      ['frames of the previous hasher, pdq/1fps/v1', (sha) => ({ outcome: 'hashed', sha256: sha, hasher: 'pdq/1fps/v1', frames: frames(1) }), /hasher/],
      ['another hasher’s frames', (sha) => ({ outcome: 'hashed', sha256: sha, hasher: 'pdq/30fps/v9', frames: frames(1) }), /hasher/],
      ['no frames at all', (sha) => ({ outcome: 'hashed', sha256: sha, hasher: HASHER_ID, frames: [] }), /frames/],
      ['an empty error', (sha) => ({ outcome: 'failed', sha256: sha, error: '' }), /error/],
    ]
    for (const [name, input, where] of cases) {
      test(name, async () => {
        const t = profile()
        await t.handlers['pack.importDirectory']({ path: makePack(1) })
        const sha = t.handlers['hashes.next']({}).job!.sha256
        const before = snapshotRows(t.store.sqlite)
        // Through the contract, as a host calls it: the schema refuses before core sees it.
        const result = await dispatch(t.handlers as never, 'hashes.record', input(sha))
        expect(result.ok).toBe(false)
        if (result.ok) return
        expect(result.error.code).toBe('invalid_input')
        expect(result.error.message).toMatch(where)
        expect(snapshotRows(t.store.sqlite)).toEqual(before)
      })
    }

    test('an unknown media object, and an image with many frames', async () => {
      const t = profile()
      await t.handlers['pack.importDemo']({})
      const unknown = refusedWithoutChange(t, () => t.handlers['hashes.record']({ outcome: 'hashed', sha256: 'f'.repeat(64), hasher: HASHER_ID, frames: frames(1) }))
      expect(unknown.code).toBe('not_found')
      let image = ''
      drain(t, (sha256, kind) => {
        if (kind === 'image' && !image) image = sha256
        else t.handlers['hashes.record']({ outcome: 'hashed', sha256, hasher: HASHER_ID, frames: frames(1) })
      })
      const many = refusedWithoutChange(t, () => t.handlers['hashes.record']({ outcome: 'hashed', sha256: image, hasher: HASHER_ID, frames: frames(3) }))
      expect(many.message).toMatch(/is an image: one frame, not 3/)
    })
  })
})
