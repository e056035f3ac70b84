/**
 * Encrypted against clear profile (issue 15): decision write p99 and queue page p95 at
 * 100,000 clips, both profiles in one run. Target: encrypted within 1.3× of clear.
 *
 *   npm run bench:encrypted-store
 *
 * The same pack is imported into a clear profile and an encrypted one (the SQLCipher database
 * of a new profile, NEW_DB_CIPHER; encrypted files); then the two are measured in alternating
 * rounds, so load from anything else on the machine falls on both alike. Prints figures; never fails on timings.
 * Optional environment: BENCH_CLIPS (100000), BENCH_DECISIONS (5000 per profile),
 * BENCH_PAGES (2000 per profile), BENCH_ROUNDS (10).
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { deriveProfileKeys, newMasterKey, type ProfileKeys } from '../src/core/profile-crypto/profile-keys'
import { openTinjau, type Tinjau } from '../src/core/tinjau'
import { timeRandomQueuePages } from './queue-pages'
import { tempDir } from '../src/core/testing/make-pack'
import type { ParsedInput } from '../src/shared/contract'
import { allowDraft, removeDraft } from './store-drafts'
import { benchNow, generatePack } from './store-pack'

const CLIPS = Number(process.env.BENCH_CLIPS ?? 100_000)
const DECISIONS = Math.min(Number(process.env.BENCH_DECISIONS ?? 5_000), CLIPS / 2)
const PAGES = Number(process.env.BENCH_PAGES ?? 2_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10)
const PAGE_SIZE = 100
/** Longer than two looks of the idle checkpointer (IDLE_CHECKPOINT_AFTER_MS). */
const PAUSE_MS = 2_500
const TARGET_RATIO = 1.3
const RESOURCES = path.resolve('resources')

function percentile(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN
}

const ms = (v: number) => `${v.toFixed(3)} ms`

interface Profile {
  name: 'clear' | 'encrypted'
  t: Tinjau
  decisionMs: number[]
  /** CPU time (user + system, this process) of each save: the crypto shows here even when the machine's load swamps wall time. */
  decisionCpuMs: number[]
  /** Per decision: WAL frames it appended, and whether a checkpoint ran inside it. */
  decisionFrames: number[]
  decisionCheckpointed: boolean[]
  /** Per decision: it began the WAL again from its start (after a checkpoint that copied all of it). */
  decisionRestarted: boolean[]
  /** Checkpoints the profile ran while idle, off the save path (store/idle-checkpoint.ts). */
  idleCheckpoints: { frames: number; ms: number }[]
  pageMs: number[]
  importMs: number
}

function draft(clipId: string, k: number): ParsedInput<'decision.record'> {
  return k % 5 === 0 ? allowDraft(clipId) : removeDraft(clipId)
}

/**
 * The WAL's frame count and how many of them a checkpoint has copied, from the wal-index
 * (the -shm file, never encrypted): WalIndexHdr.mxFrame at byte 16, WalCkptInfo.nBackfill at 96.
 */
function walIndex(dbFile: string): { mxFrame: number; nBackfill: number } {
  const buf = Buffer.alloc(100)
  const fd = openSync(`${dbFile}-shm`, 'r')
  try {
    readSync(fd, buf, 0, 100, 0)
  } finally {
    closeSync(fd)
  }
  return { mxFrame: buf.readUInt32LE(16), nBackfill: buf.readUInt32LE(96) }
}

async function openProfile(scratch: string, name: Profile['name'], packDir: string, keys: ProfileKeys | null): Promise<Profile> {
  const t = openTinjau({ dataDir: path.join(scratch, name), resourcesDir: RESOURCES, host: 'web', version: 'bench', now: () => new Date(benchNow(CLIPS)), keys })
  const t0 = performance.now()
  await t.handlers['pack.importDirectory']({ path: packDir })
  const importMs = performance.now() - t0
  // The background search index build would compete with the measurements.
  await t.search.whenIdle()
  const p: Profile = { name, t, decisionMs: [], decisionCpuMs: [], decisionFrames: [], decisionCheckpointed: [], decisionRestarted: [], idleCheckpoints: [], pageMs: [], importMs }
  t.checkpoints?.onRun((run) => p.idleCheckpoints.push(run))
  return p
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, load avg ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  console.log(`clips=${CLIPS} decisions=${DECISIONS} pages=${PAGES} per profile, in ${ROUNDS} alternating rounds`)
  const scratch = tempDir('tinjau-bench-enc-')
  try {
    const packDir = path.join(scratch, 'pack')
    mkdirSync(packDir)
    generatePack(packDir, CLIPS)
    const clear = await openProfile(scratch, 'clear', packDir, null)
    const encrypted = await openProfile(scratch, 'encrypted', packDir, deriveProfileKeys(newMasterKey()))
    console.log(`import: clear ${clear.importMs.toFixed(0)} ms, encrypted ${encrypted.importMs.toFixed(0)} ms`)
    const profiles = [clear, encrypted]
    const stride = Math.floor(CLIPS / DECISIONS)
    const perRound = Math.ceil(DECISIONS / ROUNDS)
    const pagesPerRound = Math.ceil(PAGES / ROUNDS)
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so neither always follows the other's checkpoint.
      for (const p of round % 2 === 0 ? profiles : [...profiles].reverse()) {
        for (let k = round * perRound; k < Math.min(DECISIONS, (round + 1) * perRound); k++) {
          const clipId = `clip-${String(k * stride).padStart(6, '0')}`
          const w0 = walIndex(p.t.store.paths.database)
          const c0 = process.cpuUsage()
          const t0 = performance.now()
          p.t.handlers['decision.record'](draft(clipId, k))
          p.decisionMs.push(performance.now() - t0)
          const c = process.cpuUsage(c0)
          p.decisionCpuMs.push((c.user + c.system) / 1000)
          const w1 = walIndex(p.t.store.paths.database)
          // A restart (mxFrame back to the start) or a backfill that grew: this write checkpointed.
          const checkpointed = w1.nBackfill > w0.nBackfill || (w1.nBackfill === w1.mxFrame && w1.mxFrame > 0)
          p.decisionCheckpointed.push(checkpointed)
          p.decisionRestarted.push(w1.mxFrame < w0.mxFrame)
          p.decisionFrames.push(w1.mxFrame >= w0.mxFrame ? w1.mxFrame - w0.mxFrame : w1.mxFrame)
        }
        timeRandomQueuePages(p.t, 1_000 + round, pagesPerRound, PAGE_SIZE, p.pageMs)
        // A reviewer pauses between saves (watching the next clip); checkpoints run then
        // (store/idle-checkpoint.ts) and are reported below, not dropped.
        await new Promise((resolve) => setTimeout(resolve, PAUSE_MS))
      }
    }
    const rows = [
      { what: 'decision write p99', clear: percentile(clear.decisionMs, 0.99), enc: percentile(encrypted.decisionMs, 0.99) },
      { what: 'decision write p50', clear: percentile(clear.decisionMs, 0.5), enc: percentile(encrypted.decisionMs, 0.5) },
      { what: 'decision CPU p99', clear: percentile(clear.decisionCpuMs, 0.99), enc: percentile(encrypted.decisionCpuMs, 0.99) },
      { what: 'decision CPU p50', clear: percentile(clear.decisionCpuMs, 0.5), enc: percentile(encrypted.decisionCpuMs, 0.5) },
      { what: 'queue page p95', clear: percentile(clear.pageMs, 0.95), enc: percentile(encrypted.pageMs, 0.95) },
      { what: 'queue page p50', clear: percentile(clear.pageMs, 0.5), enc: percentile(encrypted.pageMs, 0.5) },
    ]
    console.log('\nfigure               clear         encrypted     ratio   target')
    for (const r of rows) {
      const ratio = r.enc / r.clear
      const target = r.what === 'decision write p99' || r.what === 'queue page p95' ? `≤ ${TARGET_RATIO}×: ${ratio <= TARGET_RATIO ? 'MET' : 'MISSED'}` : '(context)'
      console.log(`${r.what.padEnd(20)} ${ms(r.clear).padEnd(13)} ${ms(r.enc).padEnd(13)} ${ratio.toFixed(2)}×   ${target}`)
    }
    for (const p of profiles) {
      const order = p.decisionMs.map((v, i) => i).sort((a, b) => p.decisionMs[b]! - p.decisionMs[a]!)
      const tail = order.slice(0, Math.ceil(p.decisionMs.length / 100))
      const frames = p.decisionFrames.reduce((s, n) => s + n, 0) / p.decisionFrames.length
      const checkpoints = p.decisionCheckpointed.filter(Boolean).length
      const tailCheckpoints = tail.filter((i) => p.decisionCheckpointed[i]).length
      const restarts = tail.filter((i) => p.decisionRestarted[i]).length
      const median = (xs: number[]) => percentile(xs, 0.5)
      const withCkpt = p.decisionMs.filter((_, i) => p.decisionCheckpointed[i])
      const idle = p.idleCheckpoints.map((c) => c.ms)
      // Where the tail's wall time went: on this process's CPU (crypto, B-tree work, GC), or waiting (fsync, the scheduler).
      const tailCpu = median(tail.map((i) => p.decisionCpuMs[i]!))
      const tailWaited = median(tail.map((i) => Math.max(0, p.decisionMs[i]! - p.decisionCpuMs[i]!)))
      console.log(
        `${p.name}: ${frames.toFixed(1)} WAL frames a decision; ${checkpoints} decisions ran a checkpoint${checkpoints ? ` (median ${ms(median(withCkpt))})` : ''}; ` +
          `slowest 1 % (${tail.length}, from ${ms(p.decisionMs[tail[tail.length - 1]!]!)}; median ${ms(median(tail.map((i) => p.decisionMs[i]!)))}: CPU ${ms(tailCpu)}, waiting ${ms(tailWaited)}; ` +
          `${median(tail.map((i) => p.decisionFrames[i]!))} frames, others ${median(p.decisionFrames)}): ${tailCheckpoints} ran a checkpoint, ${restarts} restarted the WAL (of ${p.decisionRestarted.filter(Boolean).length}); ` +
          `${idle.length} checkpoints while idle${idle.length ? ` (median ${ms(median(idle))}, max ${ms(Math.max(...idle))}, ${(p.idleCheckpoints.reduce((s, c) => s + c.frames, 0) / idle.length).toFixed(0)} frames each)` : ''}`,
      )
    }
    console.log(`\nload avg now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
    for (const p of profiles) p.t.close()
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
