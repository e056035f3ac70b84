/**
 * Sync figures (issue 5), printed, never asserted: on loopback, with the real sync service
 * (src/server, PGlite in a temporary folder, or the PostgreSQL that DATABASE_URL names) and
 * a real profile's sync client in this process:
 *
 *   1. pull 10,000 assignments (one sync run of a freshly enrolled profile; the clips share
 *      a few small media files, so the figure is the assignments, not media bytes);
 *   2. push 10,000 decisions (one sync run after recording them);
 *   3. the same 10,000 decisions replicated by PouchDB into an express-pouchdb server, in
 *      a child process (bench/sync-pouchdb.cjs), and the ratio of the two push times.
 *
 * PouchDB, express-pouchdb and express are the benchmark's own: installed on first use into
 * bench/.deps/pouchdb (git-ignored), never into the app's node_modules.
 *
 *   npm run bench:sync            BENCH_ITEMS=10000 by default; DATABASE_URL=postgres://…
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { startTestServer } from '../src/server/testing/test-server'
import { openTinjau } from '../src/core/tinjau'
import { makeClip, makeManifest, tempDir, writeManifest, writeMedia } from '../src/core/testing/make-pack'
import { DecisionDraft } from '../src/shared/policy'

const ROOT = path.resolve(__dirname, '..')
const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000)
const TARGET_MS = 3_000
const TARGET_RATIO = 3
const POUCH_DIR = path.join(ROOT, 'bench', '.deps', 'pouchdb')
const POUCH_PACKAGES = ['pouchdb-node@9.0.0', 'express-pouchdb@4.2.0', 'express@4.21.2']

const ms = (n: number) => `${Math.round(n).toLocaleString('en-US')} ms`
const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED')

function installPouchDb(): void {
  if (existsSync(path.join(POUCH_DIR, 'node_modules', 'pouchdb-node')) && existsSync(path.join(POUCH_DIR, 'node_modules', 'express-pouchdb'))) return
  mkdirSync(POUCH_DIR, { recursive: true })
  writeFileSync(path.join(POUCH_DIR, 'package.json'), '{ "private": true, "description": "bench/sync.bench.ts installs these; not the app\'s" }\n')
  console.log(`installing ${POUCH_PACKAGES.join(', ')} into ${path.relative(ROOT, POUCH_DIR)} (benchmark only)…`)
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', ...POUCH_PACKAGES], { cwd: POUCH_DIR, stdio: 'inherit' })
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; ${ITEMS} items`)
  installPouchDb()
  const scratch = tempDir('tinjau-sync-bench-')
  // The harness's stores: PGlite by default; the PostgreSQL of DATABASE_URL when given.
  if (process.env.DATABASE_URL) {
    process.env.TINJAU_TEST_STORE = 'postgres'
    process.env.TINJAU_TEST_DATABASE_URL = process.env.DATABASE_URL
  }
  const server = await startTestServer()
  const t = openTinjau({ dataDir: path.join(scratch, 'profile'), resourcesDir: path.join(ROOT, 'resources'), host: 'cli', version: 'bench' })
  try {
    console.log(`sync service on ${server.url} (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`)
    // Setup: a pack of ITEMS clips on the server, all assigned to one enrolled reviewer.
    const packDir = path.join(scratch, 'pack')
    const media = Array.from({ length: 8 }, (_, i) => writeMedia(packDir, `media/m-${i}.webm`, Buffer.from(`bench media ${i} `.repeat(256))))
    const ids = Array.from({ length: ITEMS }, (_, i) => `sb-${String(i).padStart(6, '0')}`)
    writeManifest(packDir, makeManifest(ids.map((id, i) => makeClip(id, media[i % media.length]!, { priority: i % 100 })), { pack_id: 'pk-sync-bench' }))
    await server.ops.loadPack(packDir)
    await server.ops.addReviewer('bench-reviewer', 'Bench Reviewer')
    await server.ops.assign('pk-sync-bench', 'bench-reviewer')
    await t.sync.enroll(server.url, await server.ops.enrollmentCode('bench-reviewer'))

    // ---- 1. pull
    const p0 = performance.now()
    const pull = await t.sync.syncNow()
    const pullMs = performance.now() - p0
    console.log(
      `\n1. pull ${ITEMS.toLocaleString('en-US')} assignments: ${ms(pullMs)}, ${pull.pulled.added} clips added in ${pull.pulled.pages} pages, ` +
        `${pull.pulled.mediaDownloaded} media files  (target < ${ms(TARGET_MS)}: ${verdict(pullMs < TARGET_MS && pull.pulled.added === ITEMS)})`,
    )

    // ---- 2. push (recording is setup: one transaction)
    const r0 = performance.now()
    t.store.sqlite.transaction(() => {
      ids.forEach((clipId, i) =>
        t.decisions.record(
          DecisionDraft.parse(
            i % 3 === 0
              ? { clipId, categories: ['ok.commerce'], action: 'allow' }
              : { clipId, categories: ['violence.arson'], action: 'remove', rationale: `Seen at 00:${String(i % 60).padStart(2, '0')}: "bakar", with a crowd gathering.`, ranges: [{ startMs: 1000, endMs: 4000, label: 'call to burn', note: '' }] },
          ),
        ),
      )
    })()
    console.log(`   (setup: ${ITEMS.toLocaleString('en-US')} decisions recorded in ${ms(performance.now() - r0)})`)
    const s0 = performance.now()
    const push = await t.sync.syncNow()
    const pushMs = performance.now() - s0
    const held = (await server.ops.decisions()).length
    console.log(
      `2. push ${ITEMS.toLocaleString('en-US')} decisions: ${ms(pushMs)}, ${push.pushed.stored} stored, ${push.pushed.duplicate} duplicate, ${push.pushed.rejected} refused; ` +
        `the server holds ${held}  (target < ${ms(TARGET_MS)}: ${verdict(pushMs < TARGET_MS && held === ITEMS)})`,
    )

    // ---- 3. PouchDB, the same decisions
    const lines = (t.store.sqlite.prepare('SELECT * FROM decisions ORDER BY rowid').all() as Record<string, unknown>[]).map((d) =>
      JSON.stringify({ ...d, categories: JSON.parse(d.categories as string), ranges: JSON.parse(d.ranges as string) }),
    )
    const file = path.join(scratch, 'decisions.jsonl')
    writeFileSync(file, `${lines.join('\n')}\n`)
    const child = spawnSync(process.execPath, [path.join(ROOT, 'bench', 'sync-pouchdb.cjs'), file], {
      env: { ...process.env, NODE_PATH: path.join(POUCH_DIR, 'node_modules') },
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    })
    if (child.status !== 0) throw new Error(`PouchDB half failed (exit ${child.status}): ${child.stderr}`)
    const pouch = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { ms: number; written: number; onServer: number }
    const ratio = pouch.ms / pushMs
    console.log(
      `3. PouchDB replication of the same ${lines.length.toLocaleString('en-US')} decisions into express-pouchdb: ${ms(pouch.ms)} ` +
        `(${pouch.written} written, ${pouch.onServer} on the server)\n   Tinjau's push is ${ratio.toFixed(1)}× faster  (target ≥ ${TARGET_RATIO}×: ${verdict(ratio >= TARGET_RATIO)})`,
    )
  } finally {
    t.close()
    await server.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
