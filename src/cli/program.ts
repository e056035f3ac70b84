import { Command, CommanderError } from 'commander'
import { TinjauError } from '../shared/errors'
import { registerAudit } from './commands/audit'
import { registerDecide } from './commands/decide'
import { registerDecisions } from './commands/decisions'
import { registerExportCommands } from './commands/export'
import { registerHashes } from './commands/hashes'
import { registerHashList } from './commands/hashlist'
import { registerImport } from './commands/import'
import { registerProfileKey } from './commands/profile-key'
import { registerQueue } from './commands/queue'
import { registerServe } from './commands/serve'
import { registerSkip } from './commands/skip'
import { registerSync } from './commands/sync'
import { CliContext } from './context'
import { CliExit, EXIT, exitCodeFor, type ExitCode } from './exit-codes'
import type { CliIo } from './io'
import { reportError } from './report'

/**
 * `tinjau`: the same core for scripts and operators. `main` never exits the process; it
 * returns the exit code, so tests run it in-process.
 */

const EXIT_HELP = `
Exit codes:
  0  success
  1  usage error (unknown command, option or choice, missing argument, a --due-within
     that is not a number of hours)
  2  refused: invalid input, unknown clip, conflict (e.g. skipping a decided clip),
     invalid pack, policy violation, broken audit trail
  3  internal error
  4  the profile cannot be unlocked: no passphrase (set TINJAU_PASSPHRASE, or run in a
     terminal), a wrong one, a profile sealed only by the app's OS key store, or a wiped profile

Passphrase: the profile is encrypted; TINJAU_PASSPHRASE gives its passphrase, else it is
asked for at the terminal (twice for a new profile).`

function buildProgram(ctx: CliContext, version: () => string): Command {
  const program = new Command('tinjau')
    .description('Tinjau review workstation: import packs, review the queue and record decisions from the command line')
    .option('--data-dir <dir>', 'profile folder (default: TINJAU_DATA_DIR, else the OS data folder)')
    .version(version(), '-V, --version')
    .addHelpText('after', EXIT_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.stdout(s),
      writeErr: (s) => ctx.io.stderr(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'tinjau: ')),
    })
  registerImport(program, ctx)
  registerQueue(program, ctx)
  registerSkip(program, ctx)
  registerDecide(program, ctx)
  registerDecisions(program, ctx)
  registerAudit(program, ctx)
  registerExportCommands(program, ctx)
  registerSync(program, ctx)
  registerHashes(program, ctx)
  registerHashList(program, ctx)
  registerServe(program, ctx)
  registerProfileKey(program, ctx)
  return program
}

export async function main(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const holder: { program?: Command } = {}
  const ctx = new CliContext(io, () => holder.program?.opts<{ dataDir?: string }>().dataDir)
  const program = (holder.program = buildProgram(ctx, () => ctx.version()))
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return EXIT.ok
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage
    if (err instanceof CliExit) return err.code
    if (err instanceof TinjauError) {
      reportError(io, err.toApiError())
      return exitCodeFor(err)
    }
    io.stderr(`tinjau: ${err instanceof Error ? err.message : String(err)}\n`)
    return EXIT.internal
  } finally {
    ctx.close()
  }
}
