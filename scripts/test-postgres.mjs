#!/usr/bin/env node
// `npm run test:postgres`: the suites that use the sync service (src/server, src/core/sync)
// once more, against the real PostgreSQL server TINJAU_TEST_DATABASE_URL names (a role that
// may create databases; each test server makes its own and drops it). `npm run test:unit`
// has already run them against PGlite. Without the variable it says why it runs nothing.
// `.ci/run` starts throwaway servers with scripts/test-postgres.sh and sets the variables.
//
// One test file per PostgreSQL cluster at a time. The outcome and media-hash feeds serve a
// row only once every transaction that began before it has ended (pg_snapshot_xmin), and
// transaction ids are the whole cluster's: a file running beside another in the same cluster
// holds the horizon back with transactions of its own (in a database of its own), and a
// test's pull right after a commit then finds nothing yet. In production the row comes with
// the next pull; a test that pulls once fails (two files at once in one cluster failed CI
// once, and the one run tried so here). So as many files run at once as
// TINJAU_TEST_DATABASE_URLS lists clusters (scripts/test-postgres.sh starts two), each worker
// on its own (src/server/testing/test-server.ts); with TINJAU_TEST_DATABASE_URL alone, one.
// On 2 cores: 161–163 s one at a time, 91–95 s on two clusters.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
if (!process.env.TINJAU_TEST_DATABASE_URL && !process.env.TINJAU_TEST_DATABASE_URLS) {
  console.log('test:postgres: skipped, TINJAU_TEST_DATABASE_URL is not set (README, "Test it", says how to point it at a PostgreSQL server)')
  process.exit(0)
}
const clusters = (process.env.TINJAU_TEST_DATABASE_URLS ?? '').split(/\s+/).filter(Boolean).length || 1
console.log(`test:postgres: ${clusters} PostgreSQL cluster${clusters === 1 ? '' : 's'}, one test file on each at a time`)
const vitestPkg = createRequire(path.join(root, 'package.json')).resolve('vitest/package.json')
const vitest = path.join(path.dirname(vitestPkg), 'vitest.mjs')
const r = spawnSync(process.execPath, [vitest, 'run', `--maxWorkers=${clusters}`, 'src/server', 'src/core/sync'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TINJAU_TEST_STORE: 'postgres' },
})
process.exit(r.status ?? 1)
