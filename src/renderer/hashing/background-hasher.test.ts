import { describe, expect, test } from 'vitest'
import type { HashJob, HashResult, HashStatus } from '../../shared/frame-hashes'
import { BackgroundHasher, type HasherDeps } from './background-hasher'
import { DecodeError, type Frame } from './frame-source'

/** Core's side of the exchange, in memory: a list of jobs and what was recorded against them. */
function fakeHost(jobs: HashJob[]) {
  const recorded: HashResult[] = []
  const listeners = new Set<(p: { reason: string }) => void>()
  let failNext = 0
  const status = (): HashStatus => ({ total: jobs.length + recorded.length, hashed: recorded.length, failed: 0, waiting: jobs.length })
  const api = {
    async call(method: string, input: unknown) {
      if (failNext > 0) {
        failNext--
        throw new Error('the host is busy')
      }
      if (method === 'hashes.next') return { job: jobs.shift() ?? null, status: status() }
      if (method === 'hashes.record') {
        recorded.push(input as HashResult)
        return status()
      }
      throw new Error(`unexpected ${method}`)
    },
    on(_event: string, l: (p: { reason: string }) => void) {
      listeners.add(l)
      return () => listeners.delete(l)
    },
    mediaUrl: (sha: string) => `/media/${sha}`,
  }
  return {
    api: api as unknown as HasherDeps['api'],
    recorded,
    add: (job: HashJob) => jobs.push(job),
    emit: (reason: string) => listeners.forEach((l) => l({ reason })),
    failCalls: (n: number) => (failNext = n),
    listenerCount: () => listeners.size,
  }
}

const job = (n: number, kind: 'video' | 'image' = 'video'): HashJob => ({
  sha256: String(n).repeat(64).slice(0, 64),
  kind,
  mime: kind === 'video' ? 'video/webm' : 'image/jpeg',
  durationMs: 3_000,
})
const bitmap = (tMs: number) => ({ tMs, close() {} }) as unknown as ImageBitmap

function deps(host: ReturnType<typeof fakeHost>, frames: HasherDeps['frames']): HasherDeps {
  return {
    api: host.api,
    frames,
    hash: async (b) => [{ hash: ((b as unknown as { tMs: number }).tMs / 1000).toString(16).padStart(64, '0'), quality: 90 }],
    idle: async () => {},
    retryDelayMs: 5,
  }
}

async function* threeFrames(): AsyncGenerator<Frame> {
  for (const tMs of [0, 1000, 2000]) yield { tMs, bitmap: bitmap(tMs) }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5))
  expect(check()).toBe(true)
}

describe('the background hasher', () => {
  test('hashes every job handed out, then waits for new clips and goes on', async () => {
    const host = fakeHost([job(1), job(2, 'image')])
    const hasher = new BackgroundHasher(deps(host, () => threeFrames()))
    const seen: HashStatus[] = []
    hasher.onStatus((s) => seen.push(s))
    hasher.start()
    await until(() => host.recorded.length === 2)
    expect(host.recorded[0]).toEqual({
      outcome: 'hashed',
      sha256: job(1).sha256,
      hasher: 'pdq/1fps/v2',
      frames: [0, 1000, 2000].map((tMs) => ({ tMs, hashes: [{ hash: (tMs / 1000).toString(16).padStart(64, '0'), quality: 90 }] })),
    })
    expect(hasher.status).toEqual({ total: 2, hashed: 2, failed: 0, waiting: 0 })
    expect(seen.length).toBeGreaterThanOrEqual(3)

    // Idle now; a decision does not wake it, an import does.
    host.add(job(3))
    host.emit('decision')
    await new Promise((r) => setTimeout(r, 30))
    expect(host.recorded).toHaveLength(2)
    host.emit('import')
    await until(() => host.recorded.length === 3)
    await hasher.stop()
    expect(host.listenerCount()).toBe(0)
  })

  test('a file the decoder cannot read is recorded as failed with the reason', async () => {
    const host = fakeHost([job(1), job(2)])
    const frames: HasherDeps['frames'] = (j) =>
      j.sha256 === job(1).sha256
        ? (async function* (): AsyncGenerator<Frame> {
            yield* []
            throw new DecodeError('MEDIA_ERR_SRC_NOT_SUPPORTED while loading')
          })()
        : threeFrames()
    const hasher = new BackgroundHasher(deps(host, frames))
    hasher.start()
    await until(() => host.recorded.length === 2)
    expect(host.recorded[0]).toEqual({ outcome: 'failed', sha256: job(1).sha256, error: 'MEDIA_ERR_SRC_NOT_SUPPORTED while loading' })
    expect(host.recorded[1]).toMatchObject({ outcome: 'hashed', sha256: job(2).sha256 })
    await hasher.stop()
  })

  test('a video that yields no frame, and a frame the worker cannot hash, are the file’s failures too', async () => {
    const host = fakeHost([job(1), job(2)])
    const d = deps(host, (j) => (j.sha256 === job(1).sha256 ? (async function* (): AsyncGenerator<Frame> {})() : threeFrames()))
    d.hash = async () => {
      throw new Error('PDQ: image size must be positive integers, got 0×0')
    }
    const hasher = new BackgroundHasher(d)
    hasher.start()
    await until(() => host.recorded.length === 2)
    expect(host.recorded[0]).toEqual({ outcome: 'failed', sha256: job(1).sha256, error: 'no frame could be read' })
    expect(host.recorded[1]).toEqual({
      outcome: 'failed',
      sha256: job(2).sha256,
      error: 'frame at 0 ms cannot be hashed: PDQ: image size must be positive integers, got 0×0',
    })
    await hasher.stop()
  })

  test('the next frame is sought while the worker hashes the one before, and frames are recorded in time order', async () => {
    const host = fakeHost([job(1)])
    // Frame k's hash finishes only once frame k+1 has been asked for (the last one's at once):
    // a hasher that waited for each hash before the next seek would never finish.
    const asked: number[] = []
    const release = new Map<number, () => void>()
    const frames: HasherDeps['frames'] = () =>
      (async function* (): AsyncGenerator<Frame> {
        for (const tMs of [0, 1000, 2000]) {
          asked.push(tMs)
          release.get(tMs - 1000)?.()
          yield { tMs, bitmap: bitmap(tMs) }
        }
      })()
    const d = deps(host, frames)
    const hashOf = d.hash
    d.hash = async (b) => {
      const tMs = (b as unknown as { tMs: number }).tMs
      if (tMs < 2000) await new Promise<void>((resolve) => release.set(tMs, resolve))
      return hashOf(b)
    }
    const hasher = new BackgroundHasher(d)
    hasher.start()
    await until(() => host.recorded.length === 1)
    expect(asked).toEqual([0, 1000, 2000])
    expect(host.recorded[0]).toMatchObject({ outcome: 'hashed', frames: [0, 1000, 2000].map((tMs) => ({ tMs })) })
    await hasher.stop()
  })

  test('a frame goes to the worker, and the next is sought, only once the main thread is free of the reviewer', async () => {
    const host = fakeHost([job(1)])
    const events: string[] = []
    let busy = true
    const waiting: (() => void)[] = []
    const d = deps(host, () =>
      (async function* (): AsyncGenerator<Frame> {
        for (const tMs of [0, 1000]) {
          events.push(`seek ${tMs}`)
          yield { tMs, bitmap: bitmap(tMs) }
        }
      })(),
    )
    const hashOf = d.hash
    d.hash = (b) => {
      events.push(`hash ${(b as unknown as { tMs: number }).tMs}`)
      return hashOf(b)
    }
    d.idle = () => (busy ? new Promise<void>((resolve) => waiting.push(resolve)) : Promise.resolve())
    const hasher = new BackgroundHasher(d)
    hasher.start()
    await until(() => events.length === 1)
    await new Promise((r) => setTimeout(r, 20))
    // The reviewer is busy: frame 0 is decoded but not hashed, frame 1 not sought.
    expect(events).toEqual(['seek 0'])
    busy = false
    for (const resolve of waiting.splice(0)) resolve()
    await until(() => host.recorded.length === 1)
    expect(events).toEqual(['seek 0', 'hash 0', 'seek 1000', 'hash 1000'])
    await hasher.stop()
  })

  test('an API error pauses and asks again; it never marks the file failed', async () => {
    const host = fakeHost([job(1)])
    host.failCalls(2)
    const hasher = new BackgroundHasher(deps(host, () => threeFrames()))
    hasher.start()
    await until(() => host.recorded.length === 1)
    expect(host.recorded[0]).toMatchObject({ outcome: 'hashed' })
    await hasher.stop()
  })

  test('stopping mid-file stops at once and records nothing for that file', async () => {
    const host = fakeHost([job(1)])
    let started = false
    const frames: HasherDeps['frames'] = (_j, _u, signal) =>
      (async function* (): AsyncGenerator<Frame> {
        started = true
        yield { tMs: 0, bitmap: bitmap(0) }
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
      })()
    const hasher = new BackgroundHasher(deps(host, frames))
    hasher.start()
    await until(() => started)
    await hasher.stop()
    expect(host.recorded).toEqual([])
  })
})
