/**
 * What carrying media hashes adds to a push (issue 14 on issue 13's push path): one device
 * pushes signed batches one after another to a real service — the same batches of decisions
 * alone, then with the frame hashes of each decision's media, then the hashes alone — and the
 * wall time per push is printed (median and p95), with the body size. Sequential pushes on
 * an otherwise idle service, so the figure is the push's own cost, not queueing.
 *
 *   TINJAU_TEST_STORE=postgres TINJAU_TEST_DATABASE_URL=postgres://… npx tsx bench/media-hash-push.bench.ts
 *   npx tsx bench/media-hash-push.bench.ts            # PGlite
 *
 * BENCH_PUSHES (40 per kind), BENCH_PUSH_BATCH (25 decisions), BENCH_FRAMES (30 frames of
 * 4 hashes per media: a 30-second clip).
 */
import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { writeTestPack } from '../src/server/testing/fixtures'
import { TestDevice } from '../src/server/testing/test-device'
import { startTestServer } from '../src/server/testing/test-server'
import type { MediaFrameHashes } from '../src/shared/sync-protocol'

const PUSHES = Number(process.env.BENCH_PUSHES ?? 40)
const BATCH = Number(process.env.BENCH_PUSH_BATCH ?? 25)
const FRAMES = Number(process.env.BENCH_FRAMES ?? 30)

function frames(sha256: string): MediaFrameHashes {
  return {
    sha256,
    hasher: 'pdq/1fps/v2',
    hashes_per_frame: 4,
    times_ms: Array.from({ length: FRAMES }, (_, i) => i * 1000),
    hashes: randomBytes(FRAMES * 4 * 32).toString('hex'),
    qualities: Array.from({ length: FRAMES * 4 }, (_, i) => 50 + (i % 50)),
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!

async function main(): Promise<void> {
  const server = await startTestServer()
  try {
    const clips = PUSHES * BATCH * 3
    console.log(`store: ${process.env.TINJAU_TEST_STORE === 'postgres' ? 'PostgreSQL' : 'PGlite'}; ${PUSHES} pushes per kind, ${BATCH} decisions a push, ${FRAMES} frames × 4 hashes a media`)
    const pack = writeTestPack(clips)
    await server.ops.loadPack(pack.dir)
    await server.ops.addReviewer('ana', 'Ana')
    await server.ops.assign(pack.packId, 'ana')
    const ana = new TestDevice(server.url)
    await ana.enroll(await server.ops.enrollmentCode('ana'))

    const run = async (kind: string, from: number, body: (i: number) => Buffer) => {
      const times: number[] = []
      let bytes = 0
      for (let p = 0; p < PUSHES; p++) {
        const b = body(from + p * BATCH)
        bytes += b.length
        const t0 = performance.now()
        const res = await ana.pushRaw(b)
        await res.arrayBuffer()
        times.push(performance.now() - t0)
        if (res.status !== 200) throw new Error(`${kind}: push answered ${res.status}`)
      }
      console.log(`${kind.padEnd(34)} median ${pct(times, 50).toFixed(1)} ms, p95 ${pct(times, 95).toFixed(1)} ms, body ${(bytes / PUSHES / 1024).toFixed(0)} KiB`)
    }
    const decisions = (i: number) => Array.from({ length: BATCH }, (_, k) => ana.decision(pack.clipIds[i + k]!))
    const hashes = (i: number) => Array.from({ length: BATCH }, (_, k) => frames(pack.media[i + k]!.sha256))
    // Three runs of clips, each decided once: warm-up (the first pushes plan the statements), alone, with hashes.
    const n = PUSHES * BATCH
    await run('warm-up (decisions alone)', 0, (i) => ana.pushBody(decisions(i)))
    await run('decisions alone', n, (i) => ana.pushBody(decisions(i)))
    await run('decisions + their media hashes', 2 * n, (i) => ana.pushBody(decisions(i), undefined, hashes(i)))
    // The warm-up's media, hashed after their decisions went.
    await run('media hashes alone', 0, (i) => ana.pushBody([], undefined, hashes(i)))
  } finally {
    await server.stop()
  }
}

void main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
