/**
 * The lead's side at scale (issue 13), printed, never asserted, on a real PostgreSQL
 * (DATABASE_URL, or TINJAU_TEST_DATABASE_URL as `eval "$(bash scripts/test-postgres.sh start)"`
 * exports it):
 *
 *   1. seed: 100 reviewers, 1,000,000 decisions, 50,000 disputed clips, 100,000 clips whose
 *      outcome in force restricts (bench/lead-seed.ts, bulk SQL into the service's own
 *      tables), into a template database kept for the next run; the bench works on a copy;
 *   2. the disputed list's first page, GET /lead/api/disputes through a real service
 *      instance (HTTP, a signed-in lead's session cookie): p50 / p95 (target p95 < 50 ms);
 *   3. the agreement report over every decision in force (agreementReport): each run (< 2 s);
 *   4. the DSA export of the 100,000 restricted outcomes (runDsaExport, since_last off) (< 10 s);
 *   5. 50 enrolled devices pushing signed decisions at once through 2 service instances
 *      (child processes, each started by serve() as `tinjau-server serve` does) on the same
 *      database: decisions/s in all (≥ 3,000/s), per-request p99 (< 500 ms), and then every
 *      decision stored exactly once; with the CPU each part used and the backends' waits.
 *      Paced by BENCH_PUSH_RATE (see PUSH_RATE): 3,000 decisions/s offered by default (the
 *      latency at the issue's load), or `max` (the capacity);
 *   2b. the disputed list again after those pushes (clip_outcomes churned, not vacuumed).
 *
 * Each device belongs to its own reviewer; each push clip is assigned to two of them; a
 * device sends its pushes one after another, alternating between the instances, all 50 at
 * once, paced as PUSH_RATE says.
 *
 *   npm run bench:lead
 *
 * Environment: BENCH_KEEP=1 keeps the bench's database; BENCH_RESEED=1 seeds the template
 * again; BENCH_SCALE (1: the issue's size) shrinks the seed for trying the bench out;
 * BENCH_PUSH_DECISIONS (100,000; at most that), BENCH_PUSH_BATCH (decisions per push, 25), BENCH_DEVICES (50),
 * BENCH_PUSH_RATE (decisions/s offered, 3,000; or max), BENCH_PUSH_WARMUP_S (25, or 10 with max: see PUSH_WARMUP_MS), BENCH_PUSH_RAMP_S (20: see PUSH_RAMP_MS),
 * BENCH_PUSH_TRACE=<file> (one JSON line per push request: when due, sent and answered, ms from the start);
 * BENCH_FIGURES (2,3,4,5,6: which to measure); BENCH_PUSH_ORDER (own, or lockstep: see PUSH_ORDER); BENCH_PUSH_CLIENT (http, or fetch: see push-client.ts); BENCH_INSTANCE_PROF=<folder> (V8 CPU profiles of the two instances); BENCH_INSTANCE (src, or built: see INSTANCE_CODE);
 * BENCH_CONSOLE_STARTS (7), BENCH_CONSOLE_DETAIL=1 (figure 6 prints each start's Navigation and Resource Timing).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import pg from 'pg'
import { dbUrl, withClient } from './pg-client'
import { loadPolicy } from '../src/core/policy-loader'
import { migrationsFolder, one, openServerDb, rows, sql, textArray, type Db, type ServerDb } from '../src/server/db/open'
import { lockClips, updateAdjudications } from '../src/server/ops/adjudications'
import { assign } from '../src/server/ops/assignments'
import { refreshDecisionPairs } from '../src/server/ops/decision-pairs'
import { runDsaExport } from '../src/server/ops/export'
import { listDisputes } from '../src/server/ops/lead-views'
import { addLead } from '../src/server/ops/leads'
import { deriveOutcomes, refreshDecisionHeads } from '../src/server/ops/outcomes'
import { agreementReport } from '../src/server/ops/qa'
import { enrollmentCode } from '../src/server/ops/reviewers'
import { TestDevice } from '../src/server/testing/test-device'
import type { PackedDecision } from '../src/shared/decision-pack-format'
import { DisputeList } from '../src/shared/lead-api'
import { MAX_PUSH_BATCH, PROTOCOL_HEADER, SIGNATURE_HEADER, type PushResponse } from '../src/shared/sync-protocol'
import { p, verdict } from './figures'
import { closePushClient, post, pushClientOf } from './push-client'
import { expected, REVIEWERS, SEED_VERSION, seedSteps, type SeedShape } from './lead-seed'

const ROOT = path.resolve(__dirname, '..')
const SCALE = Number(process.env.BENCH_SCALE ?? 1)
const UNIT = Math.max(2, Math.round((10_000 * SCALE) / 2) * 2)
const DEVICES = Number(process.env.BENCH_DEVICES ?? 50)
/** The template holds clips for this many pushed decisions (two reviewers a clip); BENCH_PUSH_DECISIONS may take fewer. */
const PUSH_CAPACITY = Math.max(5_000, Math.round(100_000 * Math.min(1, SCALE)))
const PUSH_DECISIONS = Math.min(PUSH_CAPACITY, Number(process.env.BENCH_PUSH_DECISIONS ?? PUSH_CAPACITY))
const PUSH_CLIPS = Math.ceil(PUSH_DECISIONS / 2)
/**
 * In which order each device decides (and so pushes) its clips: `own` (default) a fixed
 * shuffle per device, as reviewers working through their own queues; `lockstep` the pack's
 * order for everyone, so a clip's two reviewers push it at about the same moment (the worst
 * case for the per-clip locks a push takes).
 */
const PUSH_ORDER = process.env.BENCH_PUSH_ORDER === 'lockstep' ? 'lockstep' : 'own'
const PUSH_BATCH = Number(process.env.BENCH_PUSH_BATCH ?? 25)
/** How the simulated devices send (push-client.ts): node:http by default, or fetch. */
const PUSH_CLIENT = pushClientOf(process.env.BENCH_PUSH_CLIENT)
/**
 * How the devices pace their pushes. A number (default 3,000, the issue's figure): the
 * decisions/s offered in all, an open loop — device i's push k is due at its own steady
 * beat (DEVICES × PUSH_BATCH ÷ rate apart, the devices' beats spread evenly), sent then, or
 * as soon as its previous push is answered if that is later (a device pushes one at a time),
 * and its latency counts from when it was due, so a service falling behind shows in the
 * tail instead of slowing the senders. `max`: a closed loop — each device sends its next
 * push the moment the last is answered, which measures capacity (decisions/s), while its
 * latency is set by queueing alone (p50 ≈ DEVICES × PUSH_BATCH ÷ throughput).
 */
const PUSH_RATE: number | 'max' = process.env.BENCH_PUSH_RATE === 'max' ? 'max' : Number(process.env.BENCH_PUSH_RATE ?? 3_000)
/**
 * Pushes that start in the first BENCH_PUSH_WARMUP_S seconds (paced 25, closed loop 10) are
 * the warm-up: stored and checked like the others, their latencies printed apart, not in the
 * figure. A service runs for days; the bench's copy of the template and the instances'
 * connections start cold (shared buffers, the backends' caches and plans, V8's code), which
 * takes ~5–10 s here. Paced, the warm-up holds the ramp (below) and 5 s at the full rate.
 */
const PUSH_WARMUP_MS = Number(process.env.BENCH_PUSH_WARMUP_S ?? (PUSH_RATE === 'max' ? 10 : 25)) * 1000
/**
 * Paced only: the offered rate rises from 0 to PUSH_RATE over the first BENCH_PUSH_RAMP_S
 * seconds (20; 0 for none), as a load test ramps up, so that the cold start is not met with
 * the full load at once (its backlog then takes the rest of a 100,000-decision run to drain
 * when the rate is near capacity). Within the warm-up, so not in the figure.
 */
const PUSH_RAMP_MS = PUSH_RATE === 'max' ? 0 : Number(process.env.BENCH_PUSH_RAMP_S ?? 20) * 1000
if (!(PUSH_RAMP_MS >= 0 && PUSH_RAMP_MS <= PUSH_WARMUP_MS)) throw new Error(`BENCH_PUSH_RAMP_S must be from 0 to the warm-up (BENCH_PUSH_WARMUP_S, ${PUSH_WARMUP_MS / 1000} s)`)
const SHAPE: SeedShape = { unit: UNIT, pushClips: PUSH_CAPACITY / 2 }
const DISPUTE_RUNS = 100
const DISPUTE_WARMUP = 5
const REPORT_RUNS = 3
/** Which figures to measure (the seed and its checks always run): BENCH_FIGURES=2,5, say. */
const FIGURES = new Set((process.env.BENCH_FIGURES ?? '2,3,4,5,6').split(',').map((f) => f.trim()))
const PASSWORD = 'bench lead password, long enough'
const LEAD = 'bench-lead'
const PUSH_PACK = 'pk-bench-push'

const TARGET = { disputesP95: 50, reportMs: 2_000, exportMs: 10_000, pushPerS: 3_000, pushP99: 500, consoleStartMs: 1_000 }
const CONSOLE_STARTS = Number(process.env.BENCH_CONSOLE_STARTS ?? 7)

const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`
const ms1 = (n: number) => `${n.toFixed(1)} ms`
const int = (n: number) => Math.round(n).toLocaleString('en-US')
const load = () => `load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`
const dist = (s: number[]) =>
  `n=${s.length}  p50 ${ms1(p(s, 0.5))}  p95 ${ms1(p(s, 0.95))}  p99 ${ms1(p(s, 0.99))}  max ${ms1(Math.max(...s))}`

interface Figure {
  figure: string
  target: string
  measured: string
  ok: boolean | null
}
const summary: Figure[] = []

// ---- the template ---------------------------------------------------------------------------

/** Changes with the migrations, the seed's SQL and its size: a template made for other ones is not reused. */
function templateKey(): string {
  const hash = createHash('sha256').update(`v${SEED_VERSION} ${JSON.stringify(SHAPE)}`)
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name)
      if (statSync(full).isDirectory()) walk(full)
      else hash.update(name).update(readFileSync(full))
    }
  }
  walk(migrationsFolder())
  // The seed's statements themselves (at a fixed time), not the file: its comments may change.
  hash.update(JSON.stringify(seedSteps(SHAPE, '2000-01-01T00:00:00.000Z')))
  return hash.digest('hex').slice(0, 10)
}

const TEMPLATE_LOCK = 72_616_099

async function ensureTemplate(baseUrl: string): Promise<{ name: string; reused: boolean; seedSeconds: number }> {
  const name = `tinjau_bench_lead_tpl_u${UNIT}_${templateKey()}`
  return withClient(baseUrl, async (admin) => {
    await admin.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK])
    try {
      const found = await admin.query<{ note: string | null }>(`SELECT shobj_description(oid, 'pg_database') AS note FROM pg_database WHERE datname = $1`, [name])
      const note = found.rows[0]?.note ?? null
      if (found.rows.length > 0 && note?.startsWith('complete ') && process.env.BENCH_RESEED !== '1') {
        const meta = JSON.parse(note.slice('complete '.length)) as { seconds: number; at: string }
        console.log(`1. seed: reusing the template database ${name}, seeded ${meta.at} in ${meta.seconds.toFixed(1)} s (BENCH_RESEED=1 seeds it again)`)
        return { name, reused: true, seedSeconds: meta.seconds }
      }
      if (found.rows.length > 0) {
        console.log(`   dropping ${name} (${note ? 'BENCH_RESEED=1' : 'left incomplete by an earlier run'})`)
        await admin.query(`DROP DATABASE ${name} WITH (FORCE)`)
      }
      // Templates of this size made for other migrations or another seed (other sizes stay: BENCH_SCALE runs keep theirs).
      const stale = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1 AND datname <> $2`, [`tinjau\\_bench\\_lead\\_tpl\\_u${UNIT}\\_%`, name])
      for (const { datname } of stale.rows) {
        console.log(`   dropping ${datname} (a template made for other migrations, seed or size)`)
        await admin.query(`DROP DATABASE ${datname} WITH (FORCE)`)
      }
      const e = expected(SHAPE)
      console.log(
        `1. seed: making the template database ${name}: ${REVIEWERS} reviewers, ${int(e.clips)} clips, ${int(e.decisions)} decisions ` +
          `(${int(e.heads)} in force), ${int(e.disputed)} disputed, ${int(e.restricted)} restricted, ${int(SHAPE.pushClips)} clips for the pushes`,
      )
      const t0 = performance.now()
      await admin.query(`CREATE DATABASE ${name}`)
      const url = dbUrl(baseUrl, name)
      // The service's own migrations, as every instance applies them at start.
      const m0 = performance.now()
      const opened = await openServerDb({ databaseUrl: url, poolSize: 2 })
      await opened.close()
      console.log(`   migrations: ${ms(performance.now() - m0)}`)
      const at = new Date().toISOString()
      await withClient(url, async (c) => {
        await c.query(`SET work_mem = '256MB'; SET maintenance_work_mem = '1GB'; SET synchronous_commit = off`)
        for (const step of seedSteps(SHAPE, at)) {
          const s0 = performance.now()
          await c.query(step.sql)
          console.log(`   ${step.name}: ${ms(performance.now() - s0)}`)
        }
        const v0 = performance.now()
        await c.query('VACUUM (ANALYZE)')
        console.log(`   VACUUM (ANALYZE): ${ms(performance.now() - v0)}`)
      })
      const seconds = (performance.now() - t0) / 1000
      await admin.query('CHECKPOINT')
      await admin.query(`COMMENT ON DATABASE ${name} IS ${pg.escapeLiteral(`complete ${JSON.stringify({ seconds, at })}`)}`)
      const size = await admin.query<{ size: string }>(`SELECT pg_size_pretty(pg_database_size($1)) AS size`, [name])
      console.log(`   seeded in ${seconds.toFixed(1)} s (${size.rows[0]!.size}); kept as a template for the next run`)
      return { name, reused: false, seedSeconds: seconds }
    } finally {
      await admin.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => {})
    }
  })
}

// ---- service instances in their own processes ----------------------------------------------

interface Instance {
  url: string
  child: ChildProcess
  dataDir: string
}

/**
 * Which code the instances run. `src` (default): bench/lead-instance.ts through tsx, the
 * sources as they are. `built`: what ships, `bin/tinjau-server.js serve` from `npm run
 * build`'s bundle (out/main/server.js; run the build first) — no transpiler in the process.
 */
const INSTANCE_CODE = process.env.BENCH_INSTANCE ?? 'src'
if (INSTANCE_CODE !== 'src' && INSTANCE_CODE !== 'built') throw new Error(`BENCH_INSTANCE must be src or built, not "${INSTANCE_CODE}"`)

async function startInstance(databaseUrl: string): Promise<Instance> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tinjau-bench-lead-'))
  // BENCH_INSTANCE_PROF=<folder>: each instance writes a V8 CPU profile there when it stops.
  const prof = process.env.BENCH_INSTANCE_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_INSTANCE_PROF)}`] : []
  const built = path.join(ROOT, 'out', 'main', 'server.js')
  if (INSTANCE_CODE === 'built' && !existsSync(built)) throw new Error(`BENCH_INSTANCE=built: ${built} is missing; run "npm run build" first`)
  const args =
    INSTANCE_CODE === 'built'
      ? [path.join(ROOT, 'bin', 'tinjau-server.js'), 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir]
      : ['--import', 'tsx', path.join(__dirname, 'lead-instance.ts'), dataDir]
  const child = spawn(process.execPath, [...prof, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const onLine = (line: string) => {
      try {
        if (INSTANCE_CODE === 'src') return resolve((JSON.parse(line) as { url: string }).url)
        // tinjau-server serve says "tinjau-server: listening on http://127.0.0.1:PORT (…)".
        const m = /listening on (http:\/\/[^\s]+)/.exec(line)
        if (m) {
          lines.off('line', onLine)
          resolve(m[1]!)
        }
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)))
      }
    }
    lines.on('line', onLine)
    child.once('exit', (code) => reject(new Error(`a service instance exited (${code}) before it listened`)))
  })
  return { url, child, dataDir }
}

async function stopInstance(i: Instance): Promise<void> {
  if (i.child.exitCode === null && i.child.pid !== undefined) {
    const exited = new Promise<void>((resolve) => i.child.once('exit', () => resolve()))
    i.child.stdin?.end()
    i.child.kill('SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
  }
  rmSync(i.dataDir, { recursive: true, force: true })
}

// ---- checks of the seeded state -------------------------------------------------------------

class Rollback extends Error {}

/**
 * The service derives a sample of the seeded clips again (decision heads and pairs,
 * adjudications, outcomes, feed) in a transaction that is rolled back, and counts the rows
 * it wrote: none, if the seed left what the service itself would have.
 */
async function rederiveSample(db: Db): Promise<{ clips: number; disputed: number; written: Record<string, number> }> {
  const sample = await rows<{ clip_id: string; kind: string }>(
    db,
    sql`SELECT clip_id, kind FROM clip_outcomes WHERE pack_id <> ${PUSH_PACK} AND hashtext(clip_id) % 200 = 0`,
  )
  const ids = sample.map((r) => r.clip_id)
  let written: Record<string, number> = {}
  try {
    await db.transaction(async (txn) => {
      const tx = txn as unknown as Db
      await lockClips(tx, ids)
      await refreshDecisionHeads(tx, null, ids)
      // Its deletions too, which the count by xmin below cannot see.
      const pairs = await refreshDecisionPairs(tx, ids)
      await updateAdjudications(tx, ids)
      await deriveOutcomes(tx, ids)
      const mine = (table: string) =>
        sql`(SELECT count(*)::int FROM ${sql.raw(table)} t WHERE t.clip_id = ANY(${textArray(ids)}) AND t.xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text)`
      written = {
        ...(await one<Record<string, number>>(
          tx,
          sql`SELECT ${mine('decision_heads')} AS decision_heads, ${mine('adjudications')} AS adjudications, ${mine('outcomes')} AS outcomes,
                     ${mine('clip_outcomes')} AS clip_outcomes, ${mine('outcome_feed')} AS outcome_feed`,
        ))!,
        decision_pairs: pairs,
      }
      throw new Rollback()
    })
  } catch (err) {
    if (!(err instanceof Rollback)) throw err
  }
  return { clips: ids.length, disputed: sample.filter((r) => r.kind === 'disputed').length, written }
}

// ---- where the CPU went (Linux: /proc) -----------------------------------------------------

const TICKS = 100

/** utime + stime of a process, in seconds; null when it cannot be read. */
function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS
  } catch {
    return null
  }
}

/** Samples the CPU time of the service instances and of the database's backends serving the bench's database, every 250 ms. */
function cpuMeter(instancePids: number[], database: string, admin: Db) {
  const first = new Map<number, number>()
  const last = new Map<number, number>()
  const kind = new Map<number, 'instance' | 'postgres'>()
  for (const pid of instancePids) kind.set(pid, 'instance')
  const waits = { samples: 0, active: 0, lock: 0, by: new Map<string, number>() }
  const sample = async () => {
    const backends = await rows<{ pid: number; state: string | null; wait: string | null }>(
      admin,
      sql`SELECT pid, state, wait_event_type || ':' || wait_event AS wait FROM pg_stat_activity WHERE datname = ${database} AND pid <> pg_backend_pid()`,
    )
    waits.samples++
    for (const r of backends) {
      if (!kind.has(r.pid)) kind.set(r.pid, 'postgres')
      if (r.state === 'active') waits.active++
      if (r.wait?.startsWith('Lock:')) waits.lock++
      if (r.state === 'active' && r.wait) waits.by.set(r.wait, (waits.by.get(r.wait) ?? 0) + 1)
    }
    for (const pid of kind.keys()) {
      const c = cpuSeconds(pid)
      if (c === null) continue
      if (!first.has(pid)) first.set(pid, c)
      last.set(pid, c)
    }
  }
  let client0 = process.cpuUsage()
  let timer: NodeJS.Timeout | null = null
  let pending: Promise<void> = Promise.resolve()
  return {
    async start() {
      client0 = process.cpuUsage()
      await sample()
      // A backend first seen later started during the phase: its whole time counts.
      for (const pid of kind.keys()) if (kind.get(pid) === 'postgres') first.set(pid, first.get(pid) ?? 0)
      timer = setInterval(() => {
        pending = pending.then(sample).catch(() => {})
      }, 250)
    },
    async stop(): Promise<{ instances: number; postgres: number; client: number; active: number; lockWaits: number; waits: string } | null> {
      if (timer) clearInterval(timer)
      await pending
      await sample()
      if (!existsSync('/proc/self/stat')) return null
      const sum = (k: 'instance' | 'postgres') =>
        [...kind.entries()].filter(([, v]) => v === k).reduce((n, [pid]) => n + ((last.get(pid) ?? 0) - (first.get(pid) ?? last.get(pid) ?? 0)), 0)
      const c = process.cpuUsage(client0)
      const per = (n: number) => n / Math.max(1, waits.samples)
      const top = [...waits.by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([w, n]) => `${w} ${per(n).toFixed(1)}`).join(', ')
      return { instances: sum('instance'), postgres: sum('postgres'), client: (c.user + c.system) / 1e6, active: per(waits.active), lockWaits: per(waits.lock), waits: top }
    },
  }
}

// ---- the figures ------------------------------------------------------------------------------

async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/lead/api/session`, {
    method: 'POST',
    headers: { origin: url, 'content-type': 'application/json' },
    body: JSON.stringify({ id: LEAD, password: PASSWORD }),
  })
  if (res.status !== 200) throw new Error(`lead sign-in failed: ${res.status} ${await res.text()}`)
  const token = /tinjau_lead=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1]
  if (!token) throw new Error('lead sign-in set no session cookie')
  return `tinjau_lead=${token}`
}

async function disputesFigure(db: Db, url: string, disputed: number, when?: string): Promise<void> {
  const cookie = await signIn(url)
  const get = async () => {
    const s = performance.now()
    const res = await fetch(`${url}/lead/api/disputes`, { headers: { cookie } })
    const text = await res.text()
    const elapsed = performance.now() - s
    if (res.status !== 200) throw new Error(`GET /lead/api/disputes: ${res.status} ${text.slice(0, 300)}`)
    return { elapsed, text }
  }
  let first: DisputeList | null = null
  for (let i = 0; i < DISPUTE_WARMUP; i++) first = DisputeList.parse(JSON.parse((await get()).text))
  const samples: number[] = []
  for (let i = 0; i < DISPUTE_RUNS; i++) samples.push((await get()).elapsed)
  const direct: number[] = []
  for (let i = 0; i < 50; i++) {
    const s = performance.now()
    await listDisputes(db)
    direct.push(performance.now() - s)
  }
  const page = first!
  const p95 = p(samples, 0.95)
  const ok = p95 < TARGET.disputesP95 && page.items.length === 50 && page.total === disputed
  console.log(
    `\n2${when ? `b. ${when}:` : '.'} the disputed list's first page, GET /lead/api/disputes on instance A (signed-in lead, cookie session; ${load()}): ${page.items.length} items of ${int(page.total)}, ` +
      `${page.items.filter((x) => x.overdue || x.authority).length} overdue or flagged by an authority, next cursor ${page.next ? 'given' : 'none'}\n` +
      `   HTTP:                       ${dist(samples)}  (target p95 < ${TARGET.disputesP95} ms: ${verdict(ok)})\n` +
      `   listDisputes() in-process:  ${dist(direct)}  (for comparison: the same reads without HTTP)`,
  )
  summary.push({ figure: `disputed list, first page (HTTP, ${DISPUTE_RUNS} runs)${when ? `, ${when}` : ''}`, target: `p95 < ${TARGET.disputesP95} ms`, measured: `p50 ${ms1(p(samples, 0.5))}, p95 ${ms1(p95)}`, ok })
}

/**
 * 6. The lead console's start, as a lead opening it: a fresh browser context (no cache) with
 * the session cookie, `/lead/#/disputes` asked for, until the first disputed row is on
 * screen and the page's main thread is free again (the row answers a key). Debian's
 * Chromium, the built console (out/lead: `npm run build` first) served by instance A.
 */
/** BENCH_CONSOLE_DETAIL=1: figure 6 also prints, per start, the page's Navigation and Resource Timing. */
const DETAIL = process.env.BENCH_CONSOLE_DETAIL === '1'

/** Run in the page: its Navigation and Resource Timing, in one line. */
const whereTheTimeWent = `(() => {
  const r = (n) => Math.round(n)
  const nav = performance.getEntriesByType('navigation')[0]
  const res = performance.getEntriesByType('resource')
  const scripts = res.filter((e) => /\\.(js|css)$/.test(e.name))
  const api = res.filter((e) => e.name.includes('/lead/api/')).map((e) => e.name.replace(/^.*\\/lead\\/api\\//, '').replace(/\\?.*$/, '') + ' ' + r(e.startTime) + '→' + r(e.responseEnd))
  const fcp = performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint')
  return 'HTML ' + r(nav.responseEnd) + ', scripts ' + r(Math.min(...scripts.map((e) => e.startTime))) + '→' + r(Math.max(...scripts.map((e) => e.responseEnd))) +
    ' (' + scripts.length + ' files), DOMContentLoaded ' + r(nav.domContentLoadedEventStart) + ', first paint with content ' + (fcp ? r(fcp.startTime) : '-') + '; ' + api.join(', ')
})()`

async function consoleStartFigure(url: string): Promise<void> {
  // The service serves the console from out/lead; without a build every start would wait for a list that never comes.
  const served = await fetch(`${url}/lead/`)
  if (!served.ok) throw new Error(`figure 6: GET /lead/ answered ${served.status}: ${(await served.text()).slice(0, 300)}`)
  const { chromium } = await import('@playwright/test')
  const cookie = (await signIn(url)).split('=')
  const browser = await chromium.launch({ executablePath: process.env.TINJAU_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] })
  const times: number[] = []
  const details: string[] = []
  try {
    for (let i = 0; i < CONSOLE_STARTS + 1; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      await context.addCookies([{ name: cookie[0]!, value: cookie.slice(1).join('='), url }])
      const page = await context.newPage()
      // In the page, on its own clock: the first row seen, then the next frame after it (the main thread free).
      await page.addInitScript(`(() => {
        window.__interactive = new Promise((resolve) => {
          const poll = () => {
            if (document.querySelector('[data-testid="dispute-row"] a')) requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0))
            else requestAnimationFrame(poll)
          }
          poll()
        })
      })()`)
      await page.goto(`${url}/lead/#/disputes`)
      // A start that is not interactive in 30 s is a failure of its own, not a slow figure.
      const at = (await Promise.race([
        page.evaluate('window.__interactive'),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`figure 6: start ${i} showed no disputed row in 30 s`)), 30_000).unref()),
      ])) as number
      if (i > 0) times.push(at) // the first start warms the service and the OS's file cache, as a lead's second visit would find them
      if (i > 0 && DETAIL) details.push(`   start ${i}: ${ms(at)}: ${(await page.evaluate(whereTheTimeWent)) as string}`)
      await context.close()
    }
  } finally {
    await browser.close()
  }
  const median = p(times, 0.5)
  const ok = median < TARGET.consoleStartMs
  if (DETAIL) console.log(`\n6. where each start's time went (ms from navigation; scripts: first requested → last received; each API call: sent → answered):\n${details.join('\n')}`)
  console.log(
    `\n6. the console's start to an interactive disputed list (fresh context, no cache; ${CONSOLE_STARTS} starts after one warm-up; ${load()}):\n` +
      `   ${times.map((t) => ms(t)).join(', ')}; median ${ms(median)} (target < ${TARGET.consoleStartMs} ms: ${verdict(ok)})`,
  )
  summary.push({ figure: `console start to an interactive disputed list (${CONSOLE_STARTS} starts)`, target: `< ${TARGET.consoleStartMs} ms`, measured: `median ${ms(median)}, max ${ms(Math.max(...times))}`, ok })
}

async function reportFigure(db: Db, pairsExpected: number): Promise<void> {
  console.log(`\n3. the agreement report over every decision in force (agreementReport, no window; ${load()}):`)
  const times: number[] = []
  for (let i = 0; i < REPORT_RUNS; i++) {
    const s = performance.now()
    const r = await agreementReport(db)
    const t = performance.now() - s
    times.push(t)
    console.log(
      `   run ${i + 1}: ${ms(t)}  (${int(r.clips)} clips, ${r.pairs.length} reviewer pairs, ${r.confusion.labels.length} actions, ` +
        `agreement ${r.percent_agreement?.toFixed(4)}, Fleiss' κ ${r.fleiss_kappa?.toFixed(4)})${r.clips === pairsExpected ? '' : ` — expected ${int(pairsExpected)} clips`}`,
    )
  }
  const worst = Math.max(...times)
  const ok = worst < TARGET.reportMs
  console.log(`   slowest ${ms(worst)} (target < ${ms(TARGET.reportMs)}: ${verdict(ok)})`)
  summary.push({ figure: `agreement report, all decisions (${REPORT_RUNS} runs)`, target: `< ${ms(TARGET.reportMs)}`, measured: times.map(ms).join(', '), ok })
}

async function exportFigure(db: Db, restricted: number, database: string): Promise<void> {
  const policy = loadPolicy(path.join(ROOT, 'resources'))
  const rss0 = process.memoryUsage().rss
  const meter = cpuMeter([], database, db)
  await meter.start()
  const node0 = process.cpuUsage()
  const s = performance.now()
  const run = await runDsaExport(db, policy, { sinceLast: false, actor: `lead:${LEAD}` })
  const t = performance.now() - s
  const node = process.cpuUsage(node0)
  const cpu = await meter.stop()
  const ok = t < TARGET.exportMs && run.statements === restricted
  console.log(
    `\n4. the DSA export of the outcomes in force (runDsaExport, since_last off; ${load()}): ${ms(t)}, ${int(run.statements)} statements in ${run.bodies.length} files (made ${run.threads === 0 ? "on the export's own thread" : `on ${run.threads} worker thread${run.threads === 1 ? '' : 's'}`}), ` +
      `skipped ${JSON.stringify(run.skipped)}; bench process RSS ${int(rss0 / 2 ** 20)} → ${int(process.memoryUsage().rss / 2 ** 20)} MiB\n` +
      `   CPU meanwhile: the bench's process (the export's Node side) ${((node.user + node.system) / 1e6).toFixed(1)} s, ` +
      `PostgreSQL backends of this database ${cpu ? cpu.postgres.toFixed(1) : '?'} s, of ${((t / 1000) * os.cpus().length).toFixed(1)} s the ${os.cpus().length} cores had\n` +
      `   (target < ${ms(TARGET.exportMs)} for ${int(restricted)} restricted outcomes: ${verdict(ok)})`,
  )
  summary.push({ figure: `DSA export (${int(restricted)} restricted outcomes)`, target: `< ${ms(TARGET.exportMs)}`, measured: `${ms(t)}, ${int(run.statements)} statements`, ok })
}

/** The clips in the order device `seed` decides them (see PUSH_ORDER): deterministic. */
function inPushOrder(clips: string[], seed: number): string[] {
  if (PUSH_ORDER === 'lockstep') return clips
  const out = [...clips]
  let x = (seed + 1) * 2_654_435_761
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0
    const j = x % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

interface PushDevice {
  device: TestDevice
  batches: { body: Buffer; signature: string; ids: string[] }[]
}

async function pushFigure(db: Db, instances: Instance[], database: string): Promise<void> {
  if (PUSH_BATCH < 1 || PUSH_BATCH > MAX_PUSH_BATCH) throw new Error(`BENCH_PUSH_BATCH must be 1–${MAX_PUSH_BATCH}`)
  const reviewers = Array.from({ length: DEVICES }, (_, i) => `rv-${String(i).padStart(3, '0')}`)
  // Each push clip goes to two of the devices' reviewers (double review), so pushes of two reviewers meet on a clip.
  const clipsOf = new Map<string, string[]>(reviewers.map((r) => [r, []]))
  const secondOn = new Set<string>()
  for (let j = 0; j < PUSH_CLIPS; j++) {
    const a = j % DEVICES
    const b = (a + 1 + (Math.floor(j / DEVICES) % (DEVICES - 1))) % DEVICES
    const clip = `cp-${String(j).padStart(7, '0')}`
    clipsOf.get(reviewers[a]!)!.push(clip)
    clipsOf.get(reviewers[b]!)!.push(clip)
    secondOn.add(`${reviewers[b]}/${clip}`)
  }
  const s0 = performance.now()
  for (const r of reviewers) await assign(db, PUSH_PACK, r, clipsOf.get(r)!)
  const devices: PushDevice[] = []
  for (const [i, r] of reviewers.entries()) {
    const device = new TestDevice(instances[i % instances.length]!.url)
    await device.enroll(await enrollmentCode(db, r))
    devices.push({ device, batches: [] })
  }
  // The signed bodies are made before the clock starts: the figure is the service's.
  let sent = 0
  const sentIds: string[] = []
  for (const [i, d] of devices.entries()) {
    const r = reviewers[i]!
    const decisions: PackedDecision[] = inPushOrder(clipsOf.get(r)!, i).map((clip, k) => {
      const disagree = secondOn.has(`${r}/${clip}`) && Number(clip.slice(3)) % 5 === 0
      return d.device.decision(clip, {
        pack_id: PUSH_PACK,
        ...(disagree ? { categories: ['ok.news'], action: 'allow', ranges: [], rationale: '' } : { rationale: `Seen at 0:${String(k % 60).padStart(2, '0')}: calls to burn the market.` }),
      })
    })
    for (let k = 0; k < decisions.length; k += PUSH_BATCH) {
      const part = decisions.slice(k, k + PUSH_BATCH)
      const body = d.device.pushBody(part)
      d.batches.push({ body, signature: d.device.sign(body), ids: part.map((x) => x.id) })
      sent += part.length
      for (const x of part) sentIds.push(x.id)
    }
  }
  const before = (await one<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM decisions`))!.n
  console.log(
    `\n5. ${DEVICES} devices pushing at once through ${instances.length} service instances (${instances.map((x) => x.url).join(', ')}), one PostgreSQL database; ${load()}\n` +
      `   (setup, ${ms(performance.now() - s0)}: ${int(PUSH_CLIPS)} clips each assigned to 2 of the ${DEVICES} reviewers, ${DEVICES} devices enrolled over HTTP, ` +
      `${int(sent)} decisions signed into ${int(devices.reduce((n, d) => n + d.batches.length, 0))} pushes of ${PUSH_BATCH}, ${PUSH_ORDER === 'own' ? "each device deciding its clips in its own order" : "every device deciding in the pack's order (lockstep)"}; each device sends its pushes one after another, ` +
      `alternating between the instances)`,
  )

  const TRACE: { due: number | null; sent: number; done: number; url: string; status: number }[] | null = process.env.BENCH_PUSH_TRACE ? [] : null
  const latencies: number[] = []
  /** Paced: from the moment each push was sent (latencies count from when it was due). */
  const serviceTimes: number[] = []
  /** Pushes that started in the warm-up (PUSH_WARMUP_MS): latencies, and decisions stored. */
  const warmLatencies: number[] = []
  let warmStored = 0
  let late = 0
  const counts = { stored: 0, duplicate: 0, rejected: 0, retried: 0, failed: 0 }
  const failures: string[] = []
  /** Why pushes were sent again (the status, or the client's error), and in which phase: a retry is the device's, not lost work. */
  const retries = new Map<string, number>()
  const meter = cpuMeter(instances.map((x) => x.child.pid!), database, db)
  const t0 = performance.now()
  const metering = new Promise((resolve) => setTimeout(resolve, PUSH_WARMUP_MS)).then(() => meter.start())
  /** Which figure a push's latency goes to: the warm-up's, the run's, or none (the exactly-once check's pushes again). */
  type Timing = 'warm-up' | 'measured' | 'replay'
  const send = async (d: PushDevice, url: string, b: PushDevice['batches'][number], timing: Timing, dueAt?: number): Promise<PushResponse | null> => {
    for (let attempt = 0; ; attempt++) {
      const sentAt = performance.now()
      const s = attempt === 0 && dueAt !== undefined ? Math.min(dueAt, sentAt) : sentAt
      let status = 0
      let text = ''
      try {
        const res = await post(
          PUSH_CLIENT,
          `${url}/v1/decisions`,
          { [PROTOCOL_HEADER]: '1', authorization: `Bearer ${d.device.token}`, 'content-type': 'application/json', [SIGNATURE_HEADER]: b.signature },
          b.body,
        )
        status = res.status
        text = res.text
      } catch (err) {
        text = String(err)
      }
      const done = performance.now()
      if (timing === 'warm-up') warmLatencies.push(done - s)
      else if (timing === 'measured') {
        latencies.push(done - s)
        if (dueAt !== undefined) serviceTimes.push(done - sentAt)
      }
      if (TRACE) TRACE.push({ due: dueAt === undefined ? null : dueAt - t0, sent: sentAt - t0, done: done - t0, url, status })
      if (status === 200) return JSON.parse(text) as PushResponse
      if (attempt < 5 && (status === 0 || status === 429 || status === 503)) {
        counts.retried++
        const why = `${timing}: ${status === 0 ? text.slice(0, 80) : `HTTP ${status}`}`
        retries.set(why, (retries.get(why) ?? 0) + 1)
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)))
        continue
      }
      counts.failed++
      failures.push(`${status} ${text.slice(0, 200)}`)
      return null
    }
  }
  // Paced: each device's pushes fall due every `beat` ms, the devices' beats spread evenly over one beat.
  const beat = PUSH_RATE === 'max' ? 0 : (DEVICES * PUSH_BATCH * 1000) / PUSH_RATE
  /**
   * When push g of all (device i's push k is g = k × DEVICES + i) falls due, ms after t0: every
   * beat ÷ DEVICES at the full rate; during a ramp, when the pushes offered so far (the
   * integral of a rate rising linearly to the full one) reach g.
   */
  const dueOffset = (g: number): number => {
    const spacing = beat / DEVICES
    const inRamp = PUSH_RAMP_MS / spacing / 2
    if (g >= inRamp) return PUSH_RAMP_MS + (g - inRamp) * spacing
    return Math.sqrt((2 * PUSH_RAMP_MS * g) * spacing)
  }
  await Promise.all(
    devices.map(async (d, i) => {
      for (const [k, b] of d.batches.entries()) {
        let dueAt: number | undefined
        if (PUSH_RATE !== 'max') {
          dueAt = t0 + dueOffset(k * DEVICES + i)
          const wait = dueAt - performance.now()
          if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
          else if (wait < -1) late++
        }
        const timing = (dueAt ?? performance.now()) < t0 + PUSH_WARMUP_MS ? 'warm-up' : 'measured'
        const answer = await send(d, instances[(i + k) % instances.length]!.url, b, timing, dueAt)
        for (const r of answer?.results ?? []) counts[r.outcome]++
        if (timing === 'warm-up') warmStored += answer?.results.filter((r) => r.outcome === 'stored').length ?? 0
      }
    }),
  )
  const wall = performance.now() - t0
  await metering
  const cpu = await meter.stop()
  if (TRACE) writeFileSync(process.env.BENCH_PUSH_TRACE!, TRACE.map((x) => JSON.stringify(x)).join('\n') + '\n')
  // The figure's window: after the warm-up.
  const measuredMs = wall - PUSH_WARMUP_MS
  const measuredStored = counts.stored - warmStored
  const perS = (measuredStored / measuredMs) * 1000
  const p99 = p(latencies, 0.99)

  // Exactly once: what the database holds against what was sent; then a few pushes again, through the other instance.
  const held = (await one<{ n: number; distinct: number; sent: number; total: number }>(
    db,
    sql`SELECT (SELECT count(*)::int FROM decisions WHERE device_id = ANY(${textArray(devices.map((d) => d.device.deviceId))})) AS n,
               (SELECT count(DISTINCT id)::int FROM decisions WHERE device_id = ANY(${textArray(devices.map((d) => d.device.deviceId))})) AS distinct,
               (SELECT count(*)::int FROM decisions WHERE id = ANY(${textArray(sentIds)})) AS sent,
               (SELECT count(*)::int FROM decisions) AS total`,
  ))!
  const replay = { pushes: 0, duplicate: 0, other: 0 }
  for (let i = 0; i < 10; i++) {
    const d = devices[(i * 7) % devices.length]!
    const k = (i * 13) % d.batches.length
    const answer = await send(d, instances[(i + k + 1) % instances.length]!.url, d.batches[k]!, 'replay')
    replay.pushes++
    for (const r of answer?.results ?? []) {
      if (r.outcome === 'duplicate') replay.duplicate++
      else replay.other++
    }
  }
  closePushClient()
  const after = (await one<{ n: number }>(db, sql`SELECT count(*)::int AS n FROM decisions`))!.n
  const outcomes = await rows<{ kind: string; n: number }>(db, sql`SELECT kind, count(*)::int AS n FROM clip_outcomes WHERE pack_id = ${PUSH_PACK} GROUP BY kind ORDER BY kind`)
  const once =
    counts.stored === sent && counts.failed === 0 && held.n === sent && held.distinct === sent && held.sent === sent && held.total === before + sent && after === before + sent && replay.other === 0
  console.log(
    `   ${int(counts.stored)} stored, ${counts.duplicate} duplicate, ${counts.rejected} rejected, ${counts.retried} retried${retries.size ? ` (${[...retries].map(([why, n]) => `${n}× ${why}`).join('; ')})` : ''}, ${counts.failed} failed, in ${ms(wall)} (${load()} at the end)\n` +
      `   warm-up, the pushes that started in the first ${PUSH_WARMUP_MS / 1000} s (not in the figures below): ${int(warmStored)} decisions, ${warmLatencies.length ? dist(warmLatencies) : 'none'}\n` +
      `   after it, ${int(measuredStored)} decisions in ${ms(measuredMs)}:\n` +
      (PUSH_RATE === 'max'
        ? `   throughput: ${int(perS)} decisions/s  (target ≥ ${int(TARGET.pushPerS)}/s: ${verdict(perS >= TARGET.pushPerS)})\n` +
          `   per push request: ${dist(latencies)}  (target p99 < ${TARGET.pushP99} ms: ${verdict(p99 < TARGET.pushP99)}; a closed loop: p50 ≈ ${DEVICES} × ${PUSH_BATCH} ÷ throughput)\n`
        : `   offered ${int(PUSH_RATE)} decisions/s (a push of ${PUSH_BATCH} due from each device every ${ms1(beat)}${PUSH_RAMP_MS > 0 ? `, after a ramp from 0 over the first ${PUSH_RAMP_MS / 1000} s` : ''}); stored ${int(perS)} decisions/s after the warm-up, ` +
          `${int(late)} of ${int(devices.reduce((n, d) => n + d.batches.length, 0))} pushes sent after they were due (the device's previous push not yet answered)\n` +
          `   per push, from when it was due: ${dist(latencies)}  (target p99 < ${TARGET.pushP99} ms: ${verdict(p99 < TARGET.pushP99)})\n` +
          `   per push, from when it was sent: ${dist(serviceTimes)}\n`) +
      (cpu
        ? `   CPU used meanwhile: service instances ${cpu.instances.toFixed(1)} s, PostgreSQL backends of this database ${cpu.postgres.toFixed(1)} s, ` +
          `the bench's devices ${cpu.client.toFixed(1)} s, of ${((measuredMs / 1000) * os.cpus().length).toFixed(1)} s the ${os.cpus().length} cores had after the warm-up (the rest: other processes, PostgreSQL's own); ` +
          `on average ${cpu.active.toFixed(1)} of the instances' backends busy, ${cpu.lockWaits.toFixed(1)} of them waiting for a lock (${cpu.waits || 'none'}); ` +
          `a decision: ${(((cpu.instances + cpu.postgres + cpu.client) / measuredStored) * 1000).toFixed(3)} ms of CPU in all, the devices' share ${((cpu.client / measuredStored) * 1000).toFixed(3)} ms ` +
          `(the same work in every run, so it shows how fast this shared machine's cores ran: the rest moves with it)\n`
        : '') +
      `   exactly once: the database holds ${int(held.n)} decisions of these devices (${int(held.distinct)} distinct ids, ${int(held.sent)} of the ${int(sent)} ids sent), ` +
      `${int(held.total)} in all = ${int(before)} before + ${int(sent)}; ${replay.pushes} pushes sent again through the other instance: ${replay.duplicate} duplicate, ${replay.other} other; ` +
      `${int(after)} after  (${once ? 'EXACTLY ONCE' : 'NOT EXACTLY ONCE'})\n` +
      `   outcomes of the pushed clips: ${outcomes.map((o) => `${o.kind} ${int(o.n)}`).join(', ')}` +
      (failures.length > 0 ? `\n   failures: ${failures.slice(0, 5).join(' | ')}` : ''),
  )
  const paced = PUSH_RATE === 'max' ? '' : `, ${int(PUSH_RATE)}/s offered`
  summary.push({
    figure: `push, ${DEVICES} devices × 2 instances (batches of ${PUSH_BATCH}${PUSH_ORDER === 'lockstep' ? ', lockstep' : ''}${paced}${PUSH_CLIENT === 'fetch' ? ', sent with fetch' : ''})`,
    target: `≥ ${int(TARGET.pushPerS)} decisions/s`,
    measured: `${int(perS)} decisions/s (${int(measuredStored)} in ${ms(measuredMs)} after a ${PUSH_WARMUP_MS / 1000} s warm-up)${PUSH_RATE === 'max' ? '' : '; paced, so not the capacity (BENCH_PUSH_RATE=max)'}`,
    ok: PUSH_RATE === 'max' ? perS >= TARGET.pushPerS : null,
  })
  summary.push({ figure: PUSH_RATE === 'max' ? '  per push request' : '  per push, from when it was due', target: `p99 < ${TARGET.pushP99} ms`, measured: `p50 ${ms1(p(latencies, 0.5))}, p99 ${ms1(p99)}`, ok: p99 < TARGET.pushP99 })
  summary.push({ figure: '  every decision stored exactly once', target: 'yes', measured: once ? `yes (${int(held.n)} = ${int(sent)} sent)` : `NO (${int(held.n)} held, ${int(sent)} sent)`, ok: once })
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const baseUrl = process.env.DATABASE_URL || process.env.TINJAU_TEST_DATABASE_URL
  if (!baseUrl) {
    console.error(
      'bench:lead needs a real PostgreSQL: set DATABASE_URL (or TINJAU_TEST_DATABASE_URL, e.g. eval "$(bash scripts/test-postgres.sh start)") to a server it may create databases on',
    )
    process.exitCode = 1
    return
  }
  const server = await withClient(baseUrl, async (c) => {
    const r = await c.query<{ v: string; sb: string; wm: string; fsync: string }>(
      `SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb, current_setting('work_mem') AS wm, current_setting('fsync') AS fsync`,
    )
    return r.rows[0]!
  })
  const host = new URL(baseUrl)
  console.log(
    `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${int(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ` +
      `PostgreSQL ${server.v} at ${host.hostname}:${host.port} (shared_buffers ${server.sb}, work_mem ${server.wm}, fsync ${server.fsync}); ${new Date().toISOString()}` +
      (SCALE === 1 ? '' : `\nBENCH_SCALE=${SCALE}: a smaller seed than the issue's`),
  )

  const seed = await ensureTemplate(baseUrl)
  summary.push({ figure: 'seed (bulk SQL into the template)', target: '—', measured: `${seed.seedSeconds.toFixed(1)} s${seed.reused ? ' (earlier run; template reused)' : ''}`, ok: null })
  const name = `tinjau_bench_lead_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const c0 = performance.now()
  await withClient(baseUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${seed.name} STRATEGY FILE_COPY`))
  console.log(`   the bench's database ${name}: a copy of the template in ${ms(performance.now() - c0)}`)
  const url = dbUrl(baseUrl, name)

  const instances: Instance[] = []
  let store: ServerDb | null = null
  try {
    store = await openServerDb({ databaseUrl: url })
    const db = store.db
    const e = expected(SHAPE)
    const state = (await one<{ reviewers: number; decisions: number; heads: number; pairs: number; disputed: number; restricted: number; open: number; outcomes: number }>(
      db,
      sql`SELECT (SELECT count(*)::int FROM reviewers) AS reviewers, (SELECT count(*)::int FROM decisions) AS decisions,
                 (SELECT count(*)::int FROM decision_heads) AS heads, (SELECT count(*)::int FROM decision_pairs) AS pairs,
                 (SELECT count(*)::int FROM clip_outcomes WHERE kind = 'disputed') AS disputed,
                 (SELECT count(*)::int FROM clip_outcomes WHERE kind IN ('single_review', 'consensus', 'adjudicated') AND action NOT IN ('allow', 'escalate')) AS restricted,
                 (SELECT count(*)::int FROM adjudications WHERE state = 'open') AS open, (SELECT count(*)::int FROM outcomes) AS outcomes`,
    ))!
    const check = await rederiveSample(db)
    const changes = Object.values(check.written).reduce((a, b) => a + b, 0)
    console.log(
      `   holds ${state.reviewers} reviewers, ${int(state.decisions)} decisions (${int(state.heads)} in force, ${int(state.pairs)} pairs), ${int(state.outcomes)} outcomes, ` +
        `${int(state.disputed)} disputed clips (${int(state.open)} open adjudications), ${int(state.restricted)} clips whose outcome in force restricts\n` +
        `   the service's own derivation run again over ${int(check.clips)} sampled clips (${check.disputed} disputed), rolled back, writes ${changes} rows ` +
        `${JSON.stringify(check.written)}${changes === 0 ? ': the seed is what the service would have made' : ' — THE SEED DIFFERS FROM WHAT THE SERVICE DERIVES'}`,
    )
    // Every clip decided twice has exactly two decisions in force: one pair each.
    if (state.decisions !== e.decisions || state.pairs !== e.pairs || state.disputed !== e.disputed || state.restricted !== e.restricted) throw new Error(`the seeded database is not the expected shape: ${JSON.stringify(state)}`)

    await addLead(db, { id: LEAD, name: 'Bench Lead', role: 'lead', password: PASSWORD })
    const s0 = performance.now()
    instances.push(...(await Promise.all([startInstance(url), startInstance(url)])))
    console.log(`   2 service instances started in ${ms(performance.now() - s0)}: A ${instances[0]!.url}, B ${instances[1]!.url}`)

    if (FIGURES.has('2')) await disputesFigure(db, instances[0]!.url, e.disputed)
    if (FIGURES.has('6')) await consoleStartFigure(instances[0]!.url)
    if (FIGURES.has('3')) await reportFigure(db, e.pairs)
    if (FIGURES.has('4')) await exportFigure(db, e.restricted, name)
    if (FIGURES.has('5')) await pushFigure(db, instances, name)
    // The disputed list again, now that 100,000 pushes have churned clip_outcomes (no VACUUM since: its visibility map is stale, as in service).
    if (FIGURES.has('2') && FIGURES.has('5')) await disputesFigure(db, instances[0]!.url, e.disputed + Math.ceil(PUSH_CLIPS / 5), 'after the pushes')
  } finally {
    await Promise.all(instances.map(stopInstance))
    await store?.close().catch(() => {})
    if (process.env.BENCH_KEEP === '1') console.log(`\nBENCH_KEEP=1: kept the database ${name}`)
    else await withClient(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  }

  const rowsOut = summary.map((f) => [f.figure, f.target, f.measured, f.ok === null ? '' : verdict(f.ok)])
  const widths = [0, 1, 2].map((i) => Math.max(...rowsOut.map((r) => r[i]!.length), ['figure', 'target', 'measured'][i]!.length))
  const line = (r: string[]) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3] ?? ''}`
  console.log(`\nSummary (issue 13, PostgreSQL ${server.v}; the bench database ${process.env.BENCH_KEEP === '1' ? 'kept' : 'dropped'}, the template ${seed.name} kept)`)
  console.log(line(['figure', 'target', 'measured', '']))
  for (const r of rowsOut) console.log(line(r))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
