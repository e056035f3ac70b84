import { parseArgs } from 'node:util'
import { findPackageRoot } from '../core/package-root'
import { currentPlatformEnv, resolveDataDir } from '../core/paths'
import { builtRendererDir, idleLockOverrideMs, PASSPHRASE_ENV } from './host-env'
import { resolvePort, serveUntilShutdown } from './launch'
import { lockableSession } from './lockable-session'

/**
 * Entry point built to out/main/web.js: `node out/main/web.js [--data-dir <dir>] [--port <n>]`.
 * Prints exactly one line to stdout, `Tinjau web host: http://127.0.0.1:<port>/?k=<secret>`.
 * The profile starts locked (the page shows the lock screen), unless TINJAU_PASSPHRASE is
 * set: then it is unlocked (or, new or clear, its key made) at start, and a wrong one stops
 * the host.
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
    // Read once and dropped from the environment, so no child process or worker inherits it.
    const passphrase = process.env[PASSPHRASE_ENV]
    delete process.env[PASSPHRASE_ENV]
    const idleLockMs = idleLockOverrideMs(process.env)
    const session = lockableSession({
      dataDir: resolveDataDir(dataDir, currentPlatformEnv(process.env), process.cwd()),
      passphrase,
      idleLockMs,
      // The store and everything behind it load after the host listens: the browser fetches
      // the renderer meanwhile, and calls wait for the profile (web/app.ts, launch.ts).
      open: async (keys, openAllowed) => {
        await openAllowed
        const { openProfile } = await import('../core/host-env')
        return openProfile({ host: 'web', dataDir, from: __dirname, keys })
      },
    })
    // Core's code (~200 ms of require) and the contract's schemas load right after the URL
    // is printed, while the browser opens the tab; then the store opens, unless the page
    // is already loading (launch.ts).
    const warm = () => Promise.all([import('../core/host-env'), import('../shared/dispatch'), import('../core/profile-crypto/unlock-profile')]).then(() => undefined)
    await serveUntilShutdown({ session, rendererDir, port, print: (line) => process.stdout.write(`${line}\n`), warm })
    return 0
  } catch (err) {
    process.stderr.write(`tinjau web host: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}

void run(process.argv.slice(2)).then((code) => {
  process.exitCode = code
})
