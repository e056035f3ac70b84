import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

// One build for every host: the Electron main process, and the plain-Node entry points
// (web host, CLI) that share its bundle of core. They all run on Node, so they are built
// together as "main" entries; the renderer is the same bundle for Electron and the web host.
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/cli/index.ts'),
          web: resolve(__dirname, 'src/web/index.ts'),
          // The sync service (bin/tinjau-server.js); it shares core's pack checks and DSA mapping.
          server: resolve(__dirname, 'src/server/index.ts'),
          // Worker thread of a pack import; core finds it next to the bundle (parse-pool.ts).
          'import-worker': resolve(__dirname, 'src/core/pack-import/parse-worker.ts'),
          // Worker thread of a DSA export (dsa-pool.ts): schema checks and file writes.
          'dsa-worker': resolve(__dirname, 'src/core/export/dsa-worker.ts'),
          // Worker thread of the service's DSA export (dsa-statement-thread.ts): mapping, checks, encoding.
          'dsa-statement-worker': resolve(__dirname, 'src/server/ops/dsa-statement-worker.ts'),
        },
      },
    },
  },
  preload: {
    // A sandboxed preload cannot require() from node_modules: bundle everything it uses.
    build: {
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [
      react(),
      // React refresh injects an inline preamble in dev only; the built app keeps the strict CSP.
      {
        // main.tsx sends the start-up calls first and then imports the app (render-app.tsx).
        // The page should not wait for that import to start fetching the app: the HTML asks
        // for its script and styles at once (fetched and compiled now, run on import).
        name: 'tinjau-preload-app',
        apply: 'build',
        transformIndexHtml: {
          order: 'post',
          handler: (html: string, ctx: { bundle?: Record<string, { type: string; fileName: string; isEntry?: boolean; imports?: string[]; facadeModuleId?: string | null; viteMetadata?: { importedCss: Set<string> } }> }) => {
            const bundle = ctx.bundle ?? {}
            const app = Object.values(bundle).find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('render-app.tsx'))
            if (!app) throw new Error('tinjau-preload-app: no render-app chunk in the bundle')
            // The app's chunk and the chunks it imports (React's and i18next's, split off so
            // they compile in parallel), minus those the page's first script already loads.
            const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry)
            const loaded = new Set([entry?.fileName, ...(entry?.imports ?? [])])
            const chunks = [app.fileName, ...(app.imports ?? [])].filter((f) => !loaded.has(f))
            const css = [...(app.viteMetadata?.importedCss ?? [])].map((f) => `<link rel="stylesheet" crossorigin href="./${f}">`)
            const preload = chunks.map((f) => `<link rel="modulepreload" crossorigin href="./${f}">`)
            return html.replace('</head>', `  ${[...preload, ...css].join('\n    ')}\n  </head>`)
          },
        },
      },
      {
        name: 'tinjau-dev-csp',
        apply: 'serve',
        transformIndexHtml: (html: string) => html.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
      },
    ],
    build: {
      minify: process.env.TINJAU_NO_MINIFY !== "1",
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/renderer/index.html') },
        output: {
          // React (~210 kB) and i18next (~60 kB) in chunks of their own: the browser parses
          // each script on a background thread, so they compile side by side with the app's
          // own code instead of one after the other (~150 ms sooner to the first row here).
          manualChunks: (id: string) => (/node_modules\/(react|react-dom|scheduler)\//.test(id) ? 'react' : /node_modules\/(i18next|react-i18next)\//.test(id) ? 'i18n' : undefined),
        },
      },
    },
  },
})
