import type { Command } from 'commander'
import { TinjauError } from '../../shared/errors'
import { findPackageRoot } from '../../core/host-env'
import { builtRendererDir } from '../../web/host-env'
import { resolvePort, serveUntilShutdown } from '../../web/launch'
import type { CliContext } from '../context'

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('start the web host on 127.0.0.1 and print its URL; runs until Ctrl+C')
    .option('--port <n>', 'port to listen on (default: TINJAU_PORT, else any free port)')
    .action(async (opts: { port?: string }) => {
      let port: number
      try {
        port = resolvePort(opts.port, ctx.env)
      } catch (err) {
        throw new TinjauError('invalid_input', (err as Error).message)
      }
      const rendererDir = ctx.io.rendererDir ?? builtRendererDir(findPackageRoot(__dirname))
      await serveUntilShutdown({
        tinjau: await ctx.releaseProfile('web'),
        rendererDir,
        port,
        print: (line) => ctx.out(line),
        ...(ctx.io.signal ? { abort: ctx.io.signal } : {}),
      })
    })
}
