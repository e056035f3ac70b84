/**
 * The DSA export alone (issue 13's figure 4), for comparing two versions of the code side by
 * side on a loaded machine: each run takes a fresh copy of bench:lead's template (so every
 * run files the same 100,000 statements into an empty dsa_filed), runs `runDsaExport`
 * once, and prints its wall time beside the CPU it used (this process, and the
 * PostgreSQL backends of the copy, from /proc), and a SHA-256 of the files' bodies (the
 * same digest means the same files, byte for byte).
 *
 *   DATABASE_URL=postgres://… npx tsx bench/dsa-export-cost.ts
 *
 * Environment: DSA_EXPORT_ROOT=<a checkout> runs that checkout's src/server/ops/export.ts
 * instead of this one's (the template must be one of the same migrations); DSA_EXPORT_OUT=<dir>
 * writes the bodies there; DSA_EXPORT_SINCE_LAST=1 runs with since_last (a second run on
 * the same copy, when DSA_EXPORT_TWICE=1); DSA_EXPORT_CHUNK=<n> sets the rows read at a time;
 * DSA_EXPORT_MAPPING=worker|inline says where the statements are made (by default, by the run's size).
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { dbUrl, withClient } from './pg-client'
import { loadPolicy } from '../src/core/policy-loader'
import { openServerDb, rows, sql, type Db } from '../src/server/db/open'

const TICKS = 100

function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS
  } catch {
    return 0
  }
}

async function backendPids(db: Db, name: string): Promise<number[]> {
  return (await rows<{ pid: number }>(db, sql`SELECT pid FROM pg_stat_activity WHERE datname = ${name}`)).map((r) => r.pid)
}

async function main(): Promise<void> {
  const baseUrl = process.env.DATABASE_URL || process.env.TINJAU_TEST_DATABASE_URL
  if (!baseUrl) throw new Error('set DATABASE_URL')
  const root = path.resolve(process.env.DSA_EXPORT_ROOT ?? path.join(__dirname, '..'))
  const { runDsaExport } = (await import(path.join(root, 'src/server/ops/export.ts'))) as typeof import('../src/server/ops/export')
  const template = await withClient(baseUrl, async (c) => {
    const r = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'tinjau_bench_lead_tpl_%' ORDER BY datname`)
    if (r.rows.length !== 1) throw new Error(`expected one bench:lead template, found ${r.rows.map((x) => x.datname).join(', ') || 'none'}`)
    return r.rows[0]!.datname
  })
  const name = `tinjau_bench_dsa_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  await withClient(baseUrl, (c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`))
  const store = await openServerDb({ databaseUrl: dbUrl(baseUrl, name) })
  try {
    const db = store.db
    const policy = loadPolicy(path.join(__dirname, '..', 'resources'))
    // Warm the pool's connections, as a serving instance's are.
    await Promise.all([db.execute(sql`SELECT 1`), db.execute(sql`SELECT 1`)])
    const runs = process.env.DSA_EXPORT_TWICE === '1' ? 2 : 1
    const m = process.env.DSA_EXPORT_MAPPING
    if (m !== undefined && m !== 'worker' && m !== 'inline') throw new Error(`DSA_EXPORT_MAPPING is "${m}": worker or inline`)
    const mapping: { mapping?: 'worker' | 'inline' } = m === 'worker' || m === 'inline' ? { mapping: m } : {}
    for (let i = 0; i < runs; i++) {
      const pids = await backendPids(db, name)
      const pg0 = pids.map(cpuSeconds)
      const node0 = process.cpuUsage()
      const load = os.loadavg()[0]!.toFixed(2)
      const s = performance.now()
      const run = await runDsaExport(db, policy, { sinceLast: process.env.DSA_EXPORT_SINCE_LAST === '1', actor: 'operator', ...(process.env.DSA_EXPORT_CHUNK ? { chunk: Number(process.env.DSA_EXPORT_CHUNK) } : {}), ...mapping })
      const wall = performance.now() - s
      const node = process.cpuUsage(node0)
      // Backends the pool connected meanwhile (the export's readers) count whole.
      const later = (await backendPids(db, name)).filter((pid) => !pids.includes(pid))
      const pgCpu = pids.reduce((n, pid, j) => n + cpuSeconds(pid) - pg0[j]!, 0) + later.reduce((n, pid) => n + cpuSeconds(pid), 0)
      const digest = createHash('sha256')
      for (const b of run.bodies) digest.update(b).update('\0')
      console.log(
        `${root === path.resolve(__dirname, '..') ? 'this checkout' : root}: ${Math.round(wall)} ms wall, Node CPU ${((node.user + node.system) / 1e6).toFixed(2)} s, ` +
          `PostgreSQL backends ${pgCpu.toFixed(2)} s; load ${load} → ${os.loadavg()[0]!.toFixed(2)}; ${run.statements} statements in ${run.bodies.length} files${'threads' in run ? ` (${run.threads === 0 ? 'made on its own thread' : `made on ${run.threads} worker thread${run.threads === 1 ? '' : 's'}`})` : ''}, ` +
          `skipped ${JSON.stringify(run.skipped)}; RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB; bodies sha256 ${digest.digest('hex').slice(0, 16)}`,
      )
      if (process.env.DSA_EXPORT_OUT) {
        const dir = path.resolve(process.env.DSA_EXPORT_OUT)
        mkdirSync(dir, { recursive: true })
        run.bodies.forEach((b, j) => writeFileSync(path.join(dir, `${i}-${j}.json`), b))
      }
    }
  } finally {
    await store.close()
    await withClient(baseUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
