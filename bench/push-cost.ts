/**
 * What one push costs, without the noise of a shared machine: two devices push signed
 * batches one at a time (no concurrency, so no queueing and no lock waits) through one
 * service instance in its own process, into a copy of bench:lead's seeded template, and
 * the CPU time of the instance and of its database backends is read from /proc before and
 * after. CPU time per decision is far steadier than throughput when other work shares the
 * cores; bench:lead's figure 5 remains the figure of record.
 *
 *   TINJAU_TEST_DATABASE_URL=postgres://… npx tsx bench/push-cost.ts
 *
 * Needs the template bench:lead made (run it once). BENCH_PUSHES (400: pushes in all, half
 * by each device), BENCH_PUSH_BATCH (25), BENCH_INSTANCE_PROF=<folder> (V8 CPU profile of the
 * instance), BENCH_PG_LOG=1 (log every statement on the copy with its duration and the CPU its
 * parse, plan and execution took, for reading in the server's log).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { dbUrl, withClient } from './pg-client'
import { openServerDb } from '../src/server/db/open'
import { assign } from '../src/server/ops/assignments'
import { enrollmentCode } from '../src/server/ops/reviewers'
import { TestDevice } from '../src/server/testing/test-device'
import { PROTOCOL_HEADER, SIGNATURE_HEADER, type PushResponse } from '../src/shared/sync-protocol'

const PUSHES = Number(process.env.BENCH_PUSHES ?? 400)
const BATCH = Number(process.env.BENCH_PUSH_BATCH ?? 25)
const PACK = 'pk-bench-push'

/** utime + stime of a process in seconds (or only the kernel's part, stime), null once it is gone. */
function cpuSeconds(pid: number, only?: 'system'): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((only ? 0 : Number(f[11])) + Number(f[12])) / 100
  } catch {
    return null
  }
}

async function main(): Promise<void> {
  const base = process.env.DATABASE_URL || process.env.TINJAU_TEST_DATABASE_URL
  if (!base) throw new Error('set TINJAU_TEST_DATABASE_URL')
  const template = await withClient(base, async (c) => {
    const r = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'tinjau\\_bench\\_lead\\_tpl\\_%' AND shobj_description(oid, 'pg_database') LIKE 'complete %' ORDER BY datname LIMIT 1`,
    )
    return r.rows[0]?.datname
  })
  if (!template) throw new Error('no seeded template: run npm run bench:lead once')
  const name = `tinjau_push_cost_${Date.now().toString(36)}`
  await withClient(base, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`))
  if (process.env.BENCH_PG_LOG === 'explain') {
    for (const setting of [`session_preload_libraries = 'auto_explain'`, 'auto_explain.log_min_duration = 0', 'auto_explain.log_analyze = on', 'auto_explain.log_buffers = on']) {
      await withClient(base, (c) => c.query(`ALTER DATABASE ${name} SET ${setting}`))
    }
  }
  if (process.env.BENCH_PG_LOG === '1') {
    for (const setting of ['log_min_duration_statement = 0', 'log_parser_stats = on', 'log_planner_stats = on', 'log_executor_stats = on']) {
      await withClient(base, (c) => c.query(`ALTER DATABASE ${name} SET ${setting}`))
    }
  }
  const url = dbUrl(base, name)
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tinjau-push-cost-'))
  const store = await openServerDb({ databaseUrl: url, poolSize: 2 })
  const prof = process.env.BENCH_INSTANCE_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_INSTANCE_PROF)}`] : []
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', path.join(__dirname, 'lead-instance.ts'), dataDir], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let closed = false
  try {
    const service = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url))
      child.once('exit', (code) => reject(new Error(`the instance exited (${code})`)))
    })
    const db = store.db
    const clips = Array.from({ length: Math.ceil((PUSHES / 2) * BATCH) }, (_, j) => `cp-${String(j).padStart(7, '0')}`)
    const devices: TestDevice[] = []
    for (const r of ['rv-000', 'rv-001']) {
      await assign(db, PACK, r, clips)
      const d = new TestDevice(service)
      await d.enroll(await enrollmentCode(db, r))
      devices.push(d)
    }
    // One in five clips disputed, as in bench:lead.
    const batches = devices.map((d, i) =>
      Array.from({ length: PUSHES / 2 }, (_, k) => {
        const part = clips.slice(k * BATCH, (k + 1) * BATCH).map((clip, n) =>
          d.decision(clip, { pack_id: PACK, ...(i === 1 && n % 5 === 0 ? { categories: ['ok.news'], action: 'allow', ranges: [], rationale: '' } : {}) }),
        )
        const body = d.pushBody(part)
        return { body, signature: d.sign(body) }
      }),
    )
    const send = async (d: TestDevice, b: { body: Buffer; signature: string }) => {
      const res = await fetch(`${service}/v1/decisions`, {
        method: 'POST',
        headers: { [PROTOCOL_HEADER]: '1', authorization: `Bearer ${d.token}`, 'content-type': 'application/json', [SIGNATURE_HEADER]: b.signature },
        body: new Uint8Array(b.body),
      })
      const answer = (await res.json()) as PushResponse
      if (res.status !== 200 || answer.results.some((r) => r.outcome !== 'stored')) throw new Error(`push refused: ${res.status} ${JSON.stringify(answer).slice(0, 300)}`)
    }
    // Warm both connections of the instance's pool and its JIT before measuring.
    const warm = 10
    for (let k = 0; k < warm; k++) await send(devices[k % 2]!, batches[k % 2]![Math.floor(k / 2)]!)
    // Only the instance's own connections remain on the copy while measuring.
    await store.close()
    closed = true
    const backends = () =>
      withClient(base, async (c) => (await c.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 ORDER BY pid`, [name])).rows.map((r) => r.pid))
    // Backends may come and go (the pool's idle timeout): each is sampled while it lives, new ones from zero.
    const first = new Map<number, number>()
    const last = new Map<number, number>()
    const sample = async () => {
      for (const pid of await backends()) {
        const c = cpuSeconds(pid)
        if (c === null) continue
        if (!first.has(pid)) first.set(pid, started ? 0 : c)
        last.set(pid, c)
      }
    }
    let started = false
    await sample()
    started = true
    const timer = setInterval(() => void sample(), 200)
    const inst0 = cpuSeconds(child.pid!)!
    const instSys0 = cpuSeconds(child.pid!, 'system')!
    const latencies: number[] = []
    const t0 = performance.now()
    for (let k = warm; k < PUSHES; k++) {
      const s = performance.now()
      await send(devices[k % 2]!, batches[k % 2]![Math.floor(k / 2)]!)
      latencies.push(performance.now() - s)
    }
    const wall = performance.now() - t0
    clearInterval(timer)
    const inst = cpuSeconds(child.pid!)! - inst0
    const instSys = cpuSeconds(child.pid!, 'system')! - instSys0
    await sample()
    const pgCpu = [...last].reduce((sum, [pid, c]) => sum + c - first.get(pid)!, 0)
    const n = (PUSHES - warm) * BATCH
    latencies.sort((a, b) => a - b)
    const q = (f: number) => latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))]!.toFixed(1)
    console.log(
      `${PUSHES - warm} pushes of ${BATCH} one at a time (load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}): ${(wall / (PUSHES - warm)).toFixed(1)} ms a push (p50 ${q(0.5)}, p99 ${q(0.99)})\n` +
        `CPU per decision: PostgreSQL ${((pgCpu / n) * 1000).toFixed(3)} ms, instance ${((inst / n) * 1000).toFixed(3)} ms (${Math.round((instSys / inst) * 100)} % in the kernel), together ${(((pgCpu + inst) / n) * 1000).toFixed(3)} ms`,
    )
  } finally {
    child.stdin?.end()
    child.kill('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 1500))
    if (!closed) await store.close()
    rmSync(dataDir, { recursive: true, force: true })
    if (process.env.BENCH_KEEP !== '1') await withClient(base, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
