// Lint, and above all the layering rule of DESIGN.md: arrows only point down.
//   renderer, lead → ui → shared;  main, web, cli → core → shared;  server → shared.
// ui holds what both consoles show (wellness protections, formats, policy names): one copy.
// typescript-eslint needs the TypeScript JS API, which TypeScript 7 (native) no longer
// has: that is why package.json pins typescript 5.9.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2',
  'https', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'stream/promises', 'tls', 'url',
  'util', 'v8', 'vm', 'worker_threads', 'zlib',
]

const layer = (name, dirs) => dirs.map((d) => `**/${d}/**`).concat(dirs.map((d) => `**/${d}`))

/** Import patterns a layer may not use, with the reason shown in the lint message. */
const forbid = (groups) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: groups.flatMap((g) => (g.paths ?? []).map((name) => ({ name, message: g.message }))),
      patterns: groups.filter((g) => g.patterns).map((g) => ({ group: g.patterns, message: g.message })),
    },
  ],
})

const nodeOnly = {
  message: 'renderer and shared run in a browser: no Node built-ins or Node-only packages',
  paths: [...NODE_BUILTINS, 'electron', 'better-sqlite3', 'drizzle-orm', 'hono', '@hono/node-server', 'commander'],
  patterns: ['node:*', 'drizzle-orm/*', 'electron/*'],
}

/**
 * Core modules the sync service may import: pack reading and checking, media staging, the
 * Ed25519 check, the decision pack verifier and the DSA mapping, and tests' pack builders.
 */
const SERVER_CORE_ALLOWED = [
  'pack-import/directory-source',
  'pack-import/zip-source',
  'pack-import/read-manifest',
  'pack-import/manifest-rules',
  'pack-import/clip-chunk',
  'pack-import/pack-source',
  'pack-import/pack-errors',
  'pack-import/signature',
  'media-store',
  // For ImportSettings and its defaults only: the same limits as the app's import.
  'settings',
  'ed25519',
  'package-root',
  'policy-loader',
  'export/decision-pack-verify',
  'export/zip-read',
  'export/dsa-map',
  'export/redact',
  'export/out-file',
  // How a worker thread's entry is found, built or from sources (the DSA export's mapping thread).
  'worker-file',
  'testing/make-pack',
  'testing/make-zip',
  // Hash lists: the server writes them (`tinjau-server hashlist export`) with the app's own reader's rules.
  'hash-lists/hash-list-file',
  'hash-lists/testing/make-hash-list',
]

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'resources/**', 'test-results/**', 'playwright-report/**', 'scripts/**/*.mjs', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain CommonJS run by node (a benchmark's child process).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['src/shared/**/*.{ts,tsx}'],
    rules: forbid([
      { message: 'shared is the contract: it imports nothing of ours', patterns: layer('x', ['core', 'main', 'preload', 'renderer', 'lead', 'ui', 'web', 'cli', 'server']) },
      nodeOnly,
      { message: 'shared is UI-free', paths: ['react', 'react-dom'] },
    ]),
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: forbid([
      { message: 'the renderer talks only to window.tinjau / the web API; it imports src/shared and src/ui, never core, a host or the lead console', patterns: layer('x', ['core', 'main', 'preload', 'web', 'cli', 'server', 'lead']) },
      nodeOnly,
    ]),
  },
  {
    // The lead console runs in the lead's browser and talks only to the sync service's HTTP
    // API (docs/lead-api.md); it may validate answers with the shared zod schemas.
    files: ['src/lead/**/*.{ts,tsx}'],
    rules: forbid([
      { message: 'the lead console talks only to the service over HTTP; it imports src/shared and src/ui, never core, server, a host or the reviewer app', patterns: layer('x', ['core', 'main', 'preload', 'web', 'cli', 'server', 'renderer']) },
      nodeOnly,
    ]),
  },
  {
    // What both consoles show: below them, beside nothing else.
    files: ['src/ui/**/*.{ts,tsx}'],
    rules: forbid([
      { message: 'ui is shared by both consoles: it imports src/shared only, never a console, core, server or a host', patterns: layer('x', ['core', 'main', 'preload', 'web', 'cli', 'server', 'renderer', 'lead']) },
      nodeOnly,
    ]),
  },
  {
    // The zod schemas are for hosts and core; the renderer would load ~80 kB of zod for
    // them before its first frame. Its constants and rules come from the zod-free modules
    // (policy-rules, queue-constants, flag-sources, wellness-limits); types are free.
    files: ['src/renderer/**/*.{ts,tsx}', 'src/ui/**/*.{ts,tsx}'],
    ignores: ['src/renderer/**/*.test.{ts,tsx}', 'src/ui/**/*.test.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'zod', allowTypeImports: true, message: 'no zod in the renderer bundle (types only)' }],
          patterns: [
            {
              group: ['**/shared/policy', '**/shared/domain', '**/shared/field-pack', '**/shared/wellness', '**/shared/contract', '**/shared/dispatch', '**/shared/sync-status', '**/shared/sync-protocol', '**/shared/decision-pack-format'],
              allowTypeImports: true,
              message: 'these modules build zod schemas: import their types, and values from the zod-free modules (policy-rules, queue-constants, flag-sources, wellness-limits)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**/*.{ts,tsx}'],
    rules: forbid([
      { message: 'preload exposes the contract only: no core, no host code', patterns: layer('x', ['core', 'main', 'renderer', 'web', 'cli', 'server']) },
    ]),
  },
  {
    files: ['src/core/**/*.{ts,tsx}'],
    rules: forbid([
      { message: 'core is plain Node: never Electron, React or the DOM', paths: ['electron', 'react', 'react-dom', 'react-i18next'], patterns: ['electron/*', 'react-dom/*'] },
      { message: 'core sits below the hosts and the UI', patterns: layer('x', ['main', 'preload', 'renderer', 'lead', 'ui', 'web', 'cli', 'server']) },
    ]),
  },
  {
    files: ['src/web/**/*.{ts,tsx}', 'src/cli/**/*.{ts,tsx}'],
    rules: forbid([
      { message: 'the web host and CLI run in plain Node: no Electron', paths: ['electron'], patterns: ['electron/*'] },
      { message: 'hosts use core and shared, not each other or the UI', patterns: layer('x', ['main', 'preload', 'renderer', 'lead', 'ui', 'server']) },
    ]),
  },
  {
    // The sync service runs on its own machine with its own store (PostgreSQL). From core it
    // takes only storage-free modules, so that a pack is read and checked, a decision pack
    // verified and a DSA statement mapped by the very code the app uses, not a copy of it;
    // anything that opens or holds the app's SQLite store (store/, tinjau, decisions, queue,
    // search, the importer that writes rows, the export sources) stays out. An allow-list,
    // so a new core module is refused here until someone decides it is storage-free.
    files: ['src/server/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', 'react', 'react-dom'].map((name) => ({ name, message: 'the sync service runs in plain Node: no Electron or React' })),
          patterns: [
            { group: ['electron/*', 'react-dom/*'], message: 'the sync service runs in plain Node: no Electron or React' },
            { group: layer('x', ['main', 'preload', 'renderer', 'lead', 'ui', 'web', 'cli']), message: 'the sync service talks to devices over its protocol; it imports no host or UI' },
            {
              regex: `(^|/)core(/(?!(${SERVER_CORE_ALLOWED.join('|')})$).*)?$`,
              message: 'from core the sync service imports only storage-free modules (SERVER_CORE_ALLOWED in eslint.config.mjs); never the SQLite store or what uses it',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/**/*.{ts,tsx}'],
    rules: forbid([{ message: 'main binds core to Electron; it never imports the UI or other hosts', patterns: layer('x', ['renderer', 'lead', 'ui', 'web', 'cli', 'server']) }]),
  },
)
