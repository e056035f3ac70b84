import { defineConfig } from 'vitest/config'

// The packaging test runs electron-builder on the built bundles, so it runs after
// `npm run build` (`npm run test:packaging`, in the README's test chain), not with the unit
// tests, which run before the build.
export default defineConfig({
  test: {
    include: ['scripts/packaging.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
})
