import type { Command } from 'commander'
import type { CliContext } from '../context'
import { CliExit, EXIT } from '../exit-codes'
import { runMethod } from '../run-method'

export function registerAudit(program: Command, ctx: CliContext): void {
  const audit = program.command('audit').description('the hash-chained audit trail')
  audit
    .command('verify')
    .description('check every entry of the audit trail follows from the one before (exit 2 if not)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const check = await runMethod(ctx, 'audit.verify', {})
      if (opts.json) ctx.json(check)
      if (check.ok) {
        if (!opts.json) ctx.out(`Audit trail intact: ${check.entries} entries.`)
        return
      }
      ctx.io.stderr(`tinjau: the audit trail is broken at entry ${check.brokenAt} (${check.entries} entries read)\n`)
      throw new CliExit(EXIT.refused)
    })
}
