/**
 * Encrypting an existing clear profile in place (issue 15: "100,000 clips with 1 GB of
 * media: under 60 s"; src/core/profile-crypto/encrypt-in-place.ts).
 *
 *   npm run bench:encrypt-in-place      (or: npx tsx bench/encrypt-in-place.bench.ts)
 *
 * Builds a clear profile the way a reviewer's is built — a 100,000-clip pack with 1 GB of
 * media imported through the real importer, decisions recorded, the full-text index built —
 * closes it, evicts its files from the page cache (as after a reboot, where `dd` can), then
 * times unlockProfile's encryption in place and prints its phases. Then it checks the
 * result: every decision there, media encrypted. Never fails on timings.
 * Optional environment: BENCH_CLIPS (100000), BENCH_MEDIA_FILES (100), BENCH_MEDIA_MB (10 per
 * file), BENCH_DECISIONS (5000), BENCH_WARM=1 (skip the eviction), BENCH_KEEP=1 (keep the scratch folder).
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { DecisionDraft } from '../src/shared/policy'
import { isEncryptedFile } from '../src/core/profile-crypto/chunked-file'
import { isClearDatabase, type EncryptPhase } from '../src/core/profile-crypto/encrypt-in-place'
import { unlockProfile } from '../src/core/profile-crypto/unlock-profile'
import { makeClip, makeManifest, tempDir, writeMedia } from '../src/core/testing/make-pack'
import { openTinjau } from '../src/core/tinjau'
import { verdict } from './figures'

const CLIPS = Number(process.env.BENCH_CLIPS ?? 100_000)
const MEDIA_FILES = Number(process.env.BENCH_MEDIA_FILES ?? 100)
const MEDIA_MB = Number(process.env.BENCH_MEDIA_MB ?? 10)
const DECISIONS = Math.min(Number(process.env.BENCH_DECISIONS ?? 5_000), CLIPS)
const TARGET_MS = 60_000
const RESOURCES = path.resolve('resources')
const CHEAP_SCRYPT = { N: 2 ** 14, r: 8, p: 1 }

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]))
}

/** Drop a file's pages from the cache (GNU dd: fadvise DONTNEED), so the run reads from the disk. */
function evict(files: string[]): boolean {
  let ok = true
  for (const f of files) ok = spawnSync('dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none']).status === 0 && ok
  return ok
}

async function main(): Promise<void> {
  const scratch = tempDir('tinjau-bench-encrypt-')
  const packDir = path.join(scratch, 'pack')
  const dataDir = path.join(scratch, 'profile')
  console.log(`encrypt-in-place bench: ${CLIPS} clips, ${MEDIA_FILES} × ${MEDIA_MB} MB media, ${DECISIONS} decisions; ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  try {
    // ---- the clear profile
    let t0 = performance.now()
    const media = Array.from({ length: MEDIA_FILES }, (_, i) => writeMedia(packDir, `media/clip-${i}.webm`, randomBytes(MEDIA_MB * 1024 * 1024)))
    const clips = Array.from({ length: CLIPS }, (_, i) =>
      makeClip(`clip-${String(i).padStart(6, '0')}`, media[i % MEDIA_FILES]!, {
        priority: i % 101,
        transcript: [{ at_ms: 11_000, end_ms: 14_000, text: `ayo kumpul di gerbang ${i % 997}` }],
        chat: [0, 1, 2].map((k) => ({ at_ms: 1_000 + k * 6_500, author: `user${(i * 31 + k) % 9_973}`, text: `pesan ${k} klip ${i}` })),
      }),
    )
    writeFileSync(path.join(packDir, 'pack.json'), JSON.stringify(makeManifest(clips, { pack_id: 'pk-bench-encrypt' })))
    const clear = openTinjau({ dataDir, resourcesDir: RESOURCES, host: 'web', version: 'bench' })
    await clear.handlers['pack.importDirectory']({ path: packDir })
    for (let i = 0; i < DECISIONS; i++) {
      const clipId = `clip-${String(Math.floor((i * CLIPS) / DECISIONS)).padStart(6, '0')}`
      clear.handlers['decision.record'](DecisionDraft.parse({ clipId, categories: ['violence.arson'], action: 'remove', rationale: `alasan ${i}` }))
    }
    while (!clear.search.state().complete) await new Promise((r) => setTimeout(r, 200))
    clear.close()
    rmSync(packDir, { recursive: true, force: true })
    const files = walk(dataDir)
    const dbBytes = statSync(path.join(dataDir, 'tinjau.sqlite')).size
    const total = files.reduce((n, f) => n + statSync(f).size, 0)
    console.log(`clear profile built in ${s(performance.now() - t0)}: tinjau.sqlite ${mb(dbBytes)}, ${files.length} files, ${mb(total)} in all`)
    const cold = process.env.BENCH_WARM !== '1' && evict(files)
    console.log(cold ? 'page cache: the profile evicted (cold start)' : 'page cache: warm (BENCH_WARM=1, or dd could not evict)')

    // ---- encrypting it in place, as the first start of the new version does
    const phaseStart = new Map<EncryptPhase, number>()
    t0 = performance.now()
    const unlocked = await unlockProfile(
      dataDir,
      { passphrase: 'bench passphrase' },
      {
        scrypt: CHEAP_SCRYPT,
        onProgress: (p) => {
          if (!phaseStart.has(p.phase)) phaseStart.set(p.phase, performance.now() - t0)
        },
      },
    )
    const totalMs = performance.now() - t0
    const r = unlocked.encryptedInPlace
    if (!r) throw new Error('the profile was not encrypted')
    console.log('\n== encrypting in place ==================================================')
    for (const [name, ms] of Object.entries(r.timings)) console.log(`  ${name.padEnd(16)} ${s(ms)}`)
    console.log(`  phases began at: ${[...phaseStart].map(([p, ms]) => `${p} ${s(ms)}`).join(', ')}`)
    console.log(`  ${r.files} files + the database, ${mb(r.bytes)} clear → ${(r.bytes / 1e6 / (totalMs / 1000)).toFixed(0)} MB/s`)
    console.log(`  total (unlock + encrypt in place): ${s(totalMs)}  target < ${s(TARGET_MS)}: ${verdict(totalMs < TARGET_MS)}`)

    // ---- the result
    const after = walk(dataDir)
    const clearLeft = after.filter((f) => (f.includes(`${path.sep}media${path.sep}`) || f.includes(`${path.sep}packs${path.sep}`)) && !isEncryptedFile(f))
    const t = openTinjau({ dataDir, resourcesDir: RESOURCES, host: 'cli', version: 'bench', keys: unlocked.keys })
    const decisions = t.store.sqlite.prepare('SELECT count(*) FROM decisions').pluck().get() as number
    const clipCount = t.store.sqlite.prepare('SELECT count(*) FROM clips').pluck().get() as number
    t.close()
    console.log(`  check: database clear? ${isClearDatabase(path.join(dataDir, 'tinjau.sqlite'))}; clear files left ${clearLeft.length}; clips ${clipCount}; decisions ${decisions}/${DECISIONS}`)
  } finally {
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${scratch}`)
    else rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
