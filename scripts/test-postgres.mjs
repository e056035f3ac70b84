#!/usr/bin/env node
// `npm run test:postgres`: the suites that use the sync service (src/server, src/core/sync)
// once more, against the real PostgreSQL server TINJAU_TEST_DATABASE_URL names (a role that
// may create databases; each test server makes its own and drops it). `npm run test:unit`
// has already run them against PGlite. Without the variable it says why it runs nothing.
// `.ci/run` starts a throwaway server with scripts/test-postgres.sh and sets the variable.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
if (!process.env.TINJAU_TEST_DATABASE_URL) {
  console.log('test:postgres: skipped, TINJAU_TEST_DATABASE_URL is not set (README, "Test it", says how to point it at a PostgreSQL server)')
  process.exit(0)
}
const vitestPkg = createRequire(path.join(root, 'package.json')).resolve('vitest/package.json')
const vitest = path.join(path.dirname(vitestPkg), 'vitest.mjs')
const r = spawnSync(process.execPath, [vitest, 'run', 'src/server', 'src/core/sync'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TINJAU_TEST_STORE: 'postgres' },
})
process.exit(r.status ?? 1)
