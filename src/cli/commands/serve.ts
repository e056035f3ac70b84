import type { Command } from 'commander'
import { TinjauError } from '../../shared/errors'
import { findPackageRoot, openProfile } from '../../core/host-env'
import { builtRendererDir, idleLockOverrideMs } from '../../web/host-env'
import { resolvePort, serveUntilShutdown } from '../../web/launch'
import { lockableSession } from '../../web/lockable-session'
import type { CliContext } from '../context'
import { EXIT } from '../exit-codes'
import { PASSPHRASE_ENV, refuse } from '../unlock'

/** Errors of the start-up unlock: the CLI's "cannot unlock" exit, as every other command's. */
const UNLOCK_CODES: ReadonlySet<string> = new Set(['wrong_passphrase', 'too_many_attempts', 'invalid_input', 'locked'])

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('start the web host on 127.0.0.1 and print its URL; runs until Ctrl+C (TINJAU_PASSPHRASE unlocks at start, else the page shows the lock screen)')
    .option('--port <n>', 'port to listen on (default: TINJAU_PORT, else any free port)')
    .action(async (opts: { port?: string }) => {
      let port: number
      let idleLockMs: number | null
      try {
        port = resolvePort(opts.port, ctx.env)
        idleLockMs = idleLockOverrideMs(ctx.env)
      } catch (err) {
        throw new TinjauError('invalid_input', (err as Error).message)
      }
      const rendererDir = ctx.io.rendererDir ?? builtRendererDir(findPackageRoot(__dirname))
      const dataDir = ctx.dataDir()
      // The same lockable profile as the web host's own entry point: the lock screen, the
      // Lock button and the idle lock work here too.
      const session = lockableSession({
        dataDir,
        passphrase: ctx.env[PASSPHRASE_ENV],
        idleLockMs,
        open: async (keys, openAllowed) => {
          await openAllowed
          return openProfile({ host: 'web', dataDir, from: __dirname, env: ctx.env, cwd: ctx.cwd, keys })
        },
      })
      try {
        await serveUntilShutdown({
          session,
          rendererDir,
          port,
          print: (line) => ctx.out(line),
          ...(ctx.io.signal ? { abort: ctx.io.signal } : {}),
        })
      } catch (err) {
        if (err instanceof TinjauError && UNLOCK_CODES.has(err.code)) refuse(ctx.io, `${PASSPHRASE_ENV} does not unlock the profile in ${dataDir}: ${err.message}`, EXIT.locked)
        throw err
      }
    })
}
