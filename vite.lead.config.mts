import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite'
import react from '@vitejs/plugin-react'

// The lead console (src/lead): a browser app the sync service serves under /lead/ from
// out/lead (src/server/http/lead-console-route.ts). Built after the Electron/web bundles
// by `npm run build`; it shares src/ui with the reviewer's renderer.
const __dirname = dirname(fileURLToPath(import.meta.url))
const BASE = '/lead/'
/** The modules of the page's entry (src/lead/main.ts and boot.ts): kept out of the console's chunk, which the entry must not wait for. */
const ENTRY_ONLY = /\/src\/(lead\/(main|boot|route|first-requests|page-modules|api\/early-answers|api\/lead-url)|shared\/lead-routes)\.ts$/

/**
 * The page's entry (src/lead/main.ts) is small and imports the console (start.tsx)
 * dynamically, so that its first requests go out before the console's code has loaded
 * (src/lead/boot.ts). The page still asks for that code at once: its chunks, and their
 * styles, are preloaded from the HTML beside the entry, not after it.
 */
function preloadConsole(): Plugin {
  return {
    name: 'tinjau-lead-preload-console',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle
        if (!bundle) return html
        const start = Object.values(bundle).find((c) => c.type === 'chunk' && c.moduleIds.some((id) => id.endsWith('/src/lead/start.tsx')))
        if (!start || start.type !== 'chunk') throw new Error('the lead console build has no start.tsx chunk to preload')
        const scripts: string[] = []
        const styles: string[] = []
        const visit = (fileName: string) => {
          const chunk = bundle[fileName]
          if (!chunk || chunk.type !== 'chunk' || scripts.includes(fileName)) return
          scripts.push(fileName)
          for (const css of chunk.viteMetadata?.importedCss ?? []) if (!styles.includes(css)) styles.push(css)
          chunk.imports.forEach(visit)
        }
        visit(start.fileName)
        const tags: HtmlTagDescriptor[] = [
          ...scripts.filter((f) => !html.includes(`${BASE}${f}"`)).map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `${BASE}${f}` }, injectTo: 'head' as const })),
          ...styles.filter((f) => !html.includes(`${BASE}${f}"`)).map((f) => ({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: true, href: `${BASE}${f}` }, injectTo: 'head' as const })),
        ]
        return { html, tags }
      },
    },
  }
}

export default defineConfig({
  root: resolve(__dirname, 'src/lead'),
  base: BASE,
  plugins: [react(), preloadConsole()],
  build: {
    outDir: resolve(__dirname, 'out/lead'),
    emptyOutDir: true,
    // No inline scripts or styles anywhere: the service sends a CSP without 'unsafe-inline'.
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        // Few requests at the start (a browser opens at most 6 connections to the service, and
        // the first answers need 3 of them): the entry (main.ts and what boot.ts needs, which
        // must not wait for anything else), the console with its libraries in one chunk, and
        // each lazily loaded page in its own.
        manualChunks: (id: string) =>
          ENTRY_ONLY.test(id) ? 'boot' : /\/src\/lead\/pages\//.test(id) || !/\/(node_modules|src)\/.*\.(m?js|tsx?|json)$/.test(id) ? undefined : 'console',
      },
    },
  },
})
