/**
 * Which SQLCipher-compatible page MAC a profile's database should use (issue 15): the
 * decision write and the queue page of a clear profile against encrypted ones that differ
 * only in SQLCipher's `cipher_hmac_algorithm`, all in one process, in alternating rounds, so
 * load from anything else on the machine falls on each alike.
 *
 *   npx tsx bench/db-cipher-variants.bench.ts
 *
 * Two parts:
 * - micro: BENCH_MICRO_TX (3,000) small transactions per variant on a fresh file, synchronous
 *   = OFF, so what differs is the page crypto alone (in blocks of 100, variants alternating);
 * - store: a BENCH_CLIPS (100,000) clip pack imported into a clear profile and one per
 *   variant, then BENCH_DECISIONS (3,000) decisions and BENCH_PAGES (1,000) queue pages per
 *   profile in BENCH_ROUNDS (10) rounds with a reviewer's pause (2.5 s) after each.
 *   Per decision: wall and CPU time (user + system of this process), the WAL frames it
 *   appended and whether a GC ran during it, so the slowest 1 % can be split into CPU
 *   (crypto, B-tree work, GC) and waiting (fsync, scheduling).
 *
 * Prints figures; never fails on timings. BENCH_VARIANTS (e.g. "HMAC_SHA512,HMAC_SHA256")
 * picks the variants; BENCH_PARTS ("micro,store") the parts.
 */
import { mkdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance, PerformanceObserver } from 'node:perf_hooks'
import Database from 'better-sqlite3'
import { applyDbKey, DB_HMAC_ALGORITHMS, deriveProfileKeys, newMasterKey, type DbCipher, type DbHmacAlgorithm, type ProfileKeys } from '../src/core/profile-crypto/profile-keys'
import { tempDir } from '../src/core/testing/make-pack'
import { openTinjau, type Tinjau } from '../src/core/tinjau'
import { timeRandomQueuePages } from './queue-pages'
import { allowDraft, removeDraft } from './store-drafts'
import { benchNow, generatePack } from './store-pack'

const CLIPS = Number(process.env.BENCH_CLIPS ?? 100_000)
const DECISIONS = Math.min(Number(process.env.BENCH_DECISIONS ?? 3_000), CLIPS / 2)
const PAGES = Number(process.env.BENCH_PAGES ?? 1_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10)
const MICRO_TX = Number(process.env.BENCH_MICRO_TX ?? 3_000)
const PARTS = (process.env.BENCH_PARTS ?? 'micro,store').split(',')
/** `HMAC_SHA1` or `HMAC_SHA1@2048`: SQLCipher's cipher_hmac_algorithm[@cipher_page_size]. */
const VARIANTS = (process.env.BENCH_VARIANTS ?? DB_HMAC_ALGORITHMS.join(',')).split(',')
for (const v of VARIANTS) if (!DB_HMAC_ALGORITHMS.includes(v.split('@')[0] as DbHmacAlgorithm)) throw new Error(`BENCH_VARIANTS: unknown ${v}`)
const PAGE_SIZE = 100
const PAUSE_MS = 2_500
const RESOURCES = path.resolve('resources')

function cipherOf(variant: string): DbCipher {
  const [hmac, pageSize] = variant.split('@')
  return { cipher: 'sqlcipher', cipher_compatibility: 4, cipher_hmac_algorithm: hmac as DbHmacAlgorithm, cipher_page_size: Number(pageSize ?? 4096) }
}

function percentile(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN
}
const median = (xs: number[]) => percentile(xs, 0.5)
const f3 = (v: number) => v.toFixed(3)
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ')

/** GC pauses of this process, in performance.now() time, to tell which saves one fell into. */
const gcs: { start: number; end: number }[] = []
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration })
}).observe({ entryTypes: ['gc'] })
const gcDuring = (t0: number, t1: number) => gcs.some((g) => g.start < t1 && g.end > t0)

function micro(): void {
  const names = ['clear', ...VARIANTS] as const
  const dir = tempDir('tinjau-bench-cipher-micro-')
  try {
    const dbs = names.map((name) => {
      const db = new Database(path.join(dir, `${name.replace('@', '-')}.sqlite`))
      if (name !== 'clear') applyDbKey(db, deriveProfileKeys(newMasterKey(), cipherOf(name)))
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = OFF')
      db.exec('CREATE TABLE d (id INTEGER PRIMARY KEY, clip TEXT, body TEXT); CREATE INDEX d_clip ON d (clip)')
      const insert = db.prepare('INSERT INTO d (clip, body) VALUES (?, ?)')
      const tx = db.transaction((k: number) => {
        insert.run(`clip-${(k * 7919) % 100_000}`, 'x'.repeat(300))
        insert.run(`clip-${(k * 104_729) % 100_000}`, 'y'.repeat(300))
      })
      return { name, db, tx, wall: [] as number[], cpu: [] as number[] }
    })
    const block = 100
    for (let b = 0; b < MICRO_TX / block; b++) {
      for (const v of b % 2 === 0 ? dbs : [...dbs].reverse()) {
        for (let i = 0; i < block; i++) {
          const c0 = process.cpuUsage()
          const t0 = performance.now()
          v.tx(b * block + i)
          v.wall.push(performance.now() - t0)
          const c = process.cpuUsage(c0)
          v.cpu.push((c.user + c.system) / 1000)
        }
      }
    }
    console.log(`\nmicro: ${MICRO_TX} transactions of 2 inserts each (synchronous OFF), load ${load()}`)
    console.log('variant        wall p50   wall p99   CPU p50    CPU p99    (ms; ratio to clear)')
    const clear = dbs[0]!
    for (const v of dbs) {
      const r = (a: number, b: number) => (v === clear ? '' : ` ${(a / b).toFixed(2)}×`)
      console.log(
        `${v.name.padEnd(14)} ${f3(median(v.wall))}${r(median(v.wall), median(clear.wall))}  ${f3(percentile(v.wall, 0.99))}${r(percentile(v.wall, 0.99), percentile(clear.wall, 0.99))}  ` +
          `${f3(median(v.cpu))}${r(median(v.cpu), median(clear.cpu))}  ${f3(percentile(v.cpu, 0.99))}${r(percentile(v.cpu, 0.99), percentile(clear.cpu, 0.99))}`,
      )
    }
    for (const v of dbs) v.db.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

interface Profile {
  name: string
  t: Tinjau
  wall: number[]
  cpu: number[]
  gc: boolean[]
  frames: number[]
  pageMs: number[]
  idle: number[]
}

function walFrames(t: Tinjau): number {
  return (t.store.sqlite.pragma('wal_checkpoint(NOOP)') as { log: number }[])[0]?.log ?? 0
}

async function store(): Promise<void> {
  const scratch = tempDir('tinjau-bench-cipher-')
  try {
    const packDir = path.join(scratch, 'pack')
    mkdirSync(packDir)
    generatePack(packDir, CLIPS)
    const profiles: Profile[] = []
    for (const name of ['clear', ...VARIANTS]) {
      const keys: ProfileKeys | null = name === 'clear' ? null : deriveProfileKeys(newMasterKey(), cipherOf(name))
      const t = openTinjau({ dataDir: path.join(scratch, name.replace('@', '-')), resourcesDir: RESOURCES, host: 'web', version: 'bench', now: () => new Date(benchNow(CLIPS)), keys })
      const t0 = performance.now()
      await t.handlers['pack.importDirectory']({ path: packDir })
      await t.search.whenIdle()
      console.log(`import ${name}: ${(performance.now() - t0).toFixed(0)} ms`)
      const p: Profile = { name, t, wall: [], cpu: [], gc: [], frames: [], pageMs: [], idle: [] }
      t.checkpoints?.onRun((run) => p.idle.push(run.ms))
      profiles.push(p)
    }
    const stride = Math.floor(CLIPS / DECISIONS)
    const perRound = Math.ceil(DECISIONS / ROUNDS)
    const pagesPerRound = Math.ceil(PAGES / ROUNDS)
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order, so no profile always follows another's pause or checkpoint.
      const order = profiles.map((_, i) => profiles[(i + round) % profiles.length]!)
      for (const p of order) {
        for (let k = round * perRound; k < Math.min(DECISIONS, (round + 1) * perRound); k++) {
          const clipId = `clip-${String(k * stride).padStart(6, '0')}`
          const draft = k % 5 === 0 ? allowDraft(clipId) : removeDraft(clipId)
          const f0 = walFrames(p.t)
          const c0 = process.cpuUsage()
          const t0 = performance.now()
          p.t.handlers['decision.record'](draft)
          const t1 = performance.now()
          const c = process.cpuUsage(c0)
          p.wall.push(t1 - t0)
          p.cpu.push((c.user + c.system) / 1000)
          p.gc.push(gcDuring(t0, t1))
          const f1 = walFrames(p.t)
          p.frames.push(f1 >= f0 ? f1 - f0 : f1)
        }
        timeRandomQueuePages(p.t, 1_000 + round, pagesPerRound, PAGE_SIZE, p.pageMs)
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS))
      }
    }
    // GC entries arrive on a later turn.
    await new Promise((resolve) => setTimeout(resolve, 100))
    const clear = profiles[0]!
    console.log(`\nstore: ${CLIPS} clips, ${DECISIONS} decisions and ${PAGES} queue pages per profile, ${ROUNDS} rounds; load now ${load()}`)
    console.log('profile        write p50        write p99        CPU p50          CPU p99          page p95   (ms; ratio to clear)')
    for (const p of profiles) {
      const cell = (xs: number[], cs: number[], q: number) => `${f3(percentile(xs, q))}${p === clear ? '' : ` ${(percentile(xs, q) / percentile(cs, q)).toFixed(2)}×`}`.padEnd(16)
      console.log(`${p.name.padEnd(14)} ${cell(p.wall, clear.wall, 0.5)} ${cell(p.wall, clear.wall, 0.99)} ${cell(p.cpu, clear.cpu, 0.5)} ${cell(p.cpu, clear.cpu, 0.99)} ${cell(p.pageMs, clear.pageMs, 0.95)}`)
    }
    console.log('\nthe slowest 1 % of each profile\'s saves: where the wall time went')
    for (const p of profiles) {
      const idx = p.wall.map((_, i) => i).sort((a, b) => p.wall[b]! - p.wall[a]!)
      const tail = idx.slice(0, Math.ceil(p.wall.length / 100))
      const rest = idx.slice(Math.ceil(p.wall.length / 100))
      const tw = tail.map((i) => p.wall[i]!)
      const tc = tail.map((i) => p.cpu[i]!)
      const waited = tail.map((i) => Math.max(0, p.wall[i]! - p.cpu[i]!))
      console.log(
        `${p.name}: ${tail.length} saves from ${f3(Math.min(...tw))} ms; median wall ${f3(median(tw))}, CPU ${f3(median(tc))}, not on CPU ${f3(median(waited))} ms; ` +
          `${tail.filter((i) => p.gc[i]).length} had a GC (${rest.filter((i) => p.gc[i]).length} of the other ${rest.length}); ` +
          `frames median ${median(tail.map((i) => p.frames[i]!))} (others ${median(rest.map((i) => p.frames[i]!))}); ` +
          `${p.idle.length} idle checkpoints${p.idle.length ? ` (median ${f3(median(p.idle))} ms)` : ''}`,
      )
    }
    for (const p of profiles) p.t.close()
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, load avg ${load()}; variants: ${VARIANTS.join(', ')}`)
  if (PARTS.includes('micro')) micro()
  if (PARTS.includes('store')) await store()
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
