import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

// The lead console (src/lead): a browser app the sync service serves under /lead/ from
// out/lead (src/server/http/lead-console-route.ts). Built after the Electron/web bundles
// by `npm run build`; it shares src/ui with the reviewer's renderer.
const __dirname = dirname(fileURLToPath(import.meta.url))

export default defineConfig({
  root: resolve(__dirname, 'src/lead'),
  base: '/lead/',
  plugins: [react()],
  build: {
    outDir: resolve(__dirname, 'out/lead'),
    emptyOutDir: true,
    // No inline scripts or styles anywhere: the service sends a CSP without 'unsafe-inline'.
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        manualChunks: (id: string) => (/node_modules\/(react|react-dom|scheduler)\//.test(id) ? 'react' : /node_modules\/(i18next|react-i18next)\//.test(id) ? 'i18n' : /node_modules\/zod\//.test(id) ? 'zod' : undefined),
      },
    },
  },
})
