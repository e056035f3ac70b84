import type { Command } from 'commander'
import type { SkipRecord } from '../../shared/wellness'
import { SKIP_REASON_MAX } from '../../shared/wellness'
import type { CliContext } from '../context'
import { runMethod } from '../run-method'

export function describeSkip(s: SkipRecord): string {
  const again = s.previousStatus === 'skipped' ? ' again (new reason recorded)' : ''
  return `Skipped clip ${s.clipId}${again}: ${s.reason.replace(/\s+/g, ' ')}`
}

export function registerSkip(program: Command, ctx: CliContext): void {
  program
    .command('skip')
    .description('set a clip aside with a reason, kept in the audit trail (only a clip without a decision in force)')
    .argument('<clip>', 'clip id')
    .requiredOption('--reason <text>', `why (required, at most ${SKIP_REASON_MAX} characters)`)
    .option('--json', 'print the skip as JSON')
    .action(async (clipId: string, opts: { reason: string; json?: boolean }) => {
      const skipped = await runMethod(ctx, 'clip.skip', { clipId, reason: opts.reason })
      if (opts.json) ctx.json(skipped)
      else ctx.out(describeSkip(skipped))
    })
}
