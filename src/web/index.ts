import { parseArgs } from 'node:util'
import { findPackageRoot } from '../core/package-root'
import { builtRendererDir } from './host-env'
import { resolvePort, serveUntilShutdown } from './launch'

/**
 * Entry point built to out/main/web.js: `node out/main/web.js [--data-dir <dir>] [--port <n>]`.
 * Prints exactly one line to stdout, `Tinjau web host: http://127.0.0.1:<port>/?k=<secret>`.
 */

async function run(argv: string[]): Promise<number> {
  let values: { 'data-dir'?: string | undefined; port?: string | undefined }
  try {
    ;({ values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' }, port: { type: 'string' } }, strict: true, allowPositionals: false }))
  } catch (err) {
    process.stderr.write(`tinjau web host: ${(err as Error).message}\nusage: node out/main/web.js [--data-dir <dir>] [--port <n>]\n`)
    return 1
  }
  try {
    const port = resolvePort(values.port, process.env)
    const rendererDir = builtRendererDir(findPackageRoot(__dirname))
    const dataDir = values['data-dir']
    // The store and everything behind it load after the host listens: the browser fetches
    // the renderer meanwhile, and calls wait for the profile (web/app.ts).
    const tinjau = () => import('../core/host-env').then(({ openProfile }) => openProfile({ host: 'web', dataDir, from: __dirname }))
    // Core's code (~200 ms of require) and the contract's schemas load right after the URL
    // is printed, while the browser opens the tab; then the store opens, unless the page
    // is already loading (launch.ts).
    const warm = () => Promise.all([import('../core/host-env'), import('../shared/dispatch')]).then(() => undefined)
    await serveUntilShutdown({ tinjau, rendererDir, port, print: (line) => process.stdout.write(`${line}\n`), warm })
    return 0
  } catch (err) {
    process.stderr.write(`tinjau web host: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}

void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
