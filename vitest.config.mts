import os from 'node:os'
import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts'],
    // Needs the built bundles: `npm run test:packaging` runs it after the build.
    exclude: ['**/node_modules/**', 'scripts/packaging.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    pool: 'forks',
    // vitest runs cores − 1 files at once, so one on a 2-core machine like CI's. Most files
    // spend their time waiting (child processes, fsync, PostgreSQL, timers), so two at once keep
    // both cores busy: on 2 cores the unit run took 176 s instead of 285, the PostgreSQL run
    // 48 s instead of 78 (3 at once: 171 s, no better). Where there are more cores, the default.
    // `npm run test:postgres` runs one file per PostgreSQL cluster: scripts/test-postgres.mjs says why.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
  },
})
