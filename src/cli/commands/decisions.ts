import type { Command } from 'commander'
import type { CliContext } from '../context'
import { matchedFromText, table } from '../format'
import { wholeNumber } from '../parse-values'
import { runMethod } from '../run-method'

interface DecisionsOptions {
  clip?: string
  limit?: string
  offset?: string
  json?: boolean
}

export function registerDecisions(program: Command, ctx: CliContext): void {
  program
    .command('decisions')
    .description('list recorded decisions, newest first')
    .option('--clip <clip>', 'only decisions on this clip')
    .option('--limit <n>', 'at most n decisions (1-1000)', '100')
    .option('--offset <n>', 'skip the first n decisions', '0')
    .option('--json', 'print the list as JSON')
    .action(async (opts: DecisionsOptions) => {
      const list = await runMethod(ctx, 'decision.list', {
        ...(opts.clip !== undefined ? { clipId: opts.clip } : {}),
        limit: wholeNumber('--limit', opts.limit),
        offset: wholeNumber('--offset', opts.offset),
      })
      if (opts.json) return ctx.json(list)
      const rows = list.items.map((d) => [d.id, d.clipId, d.action, d.categories.join(', '), d.decidedAt, d.syncState, d.revisesId, matchedFromText(d.matchedFrom)])
      if (rows.length > 0) ctx.out(table(['DECISION', 'CLIP', 'ACTION', 'CATEGORIES', 'DECIDED AT', 'SYNC', 'REVISES', 'MATCHED FROM'], rows))
      ctx.out(`${list.items.length} of ${list.total} decisions`)
    })
}
