import { Option, type Command } from 'commander'
import { CLIP_STATUSES, type ClipStatus } from '../../shared/domain'
import type { CliContext } from '../context'
import { table } from '../format'
import { wholeNumber } from '../parse-values'
import { runMethod } from '../run-method'

interface QueueOptions {
  status?: ClipStatus[]
  limit?: string
  offset?: string
  json?: boolean
}

export function registerQueue(program: Command, ctx: CliContext): void {
  program
    .command('queue')
    .description('list clips in review order (due first)')
    .addOption(new Option('--status <status...>', 'only clips with these statuses').choices(CLIP_STATUSES))
    .option('--limit <n>', 'at most n clips (1-500)', '50')
    .option('--offset <n>', 'skip the first n clips', '0')
    .option('--json', 'print the page as JSON')
    .action(async (opts: QueueOptions) => {
      const page = await runMethod(ctx, 'queue.list', {
        ...(opts.status ? { status: opts.status } : {}),
        limit: wholeNumber('--limit', opts.limit),
        offset: wholeNumber('--offset', opts.offset),
      })
      if (opts.json) return ctx.json(page)
      const rows = page.items.map((i) => [i.id, i.status, i.priority, i.dueAt, i.flagLabels.join(', '), i.streamTitle])
      const first = page.items.length === 0 ? 0 : Number(opts.offset ?? 0) + 1
      const last = Number(opts.offset ?? 0) + page.items.length
      const counts = CLIP_STATUSES.map((s) => `${s} ${page.counts[s] ?? 0}`).join(', ')
      if (rows.length > 0) ctx.out(table(['CLIP', 'STATUS', 'PRIORITY', 'DUE', 'FLAGS', 'STREAM'], rows))
      ctx.out(`${rows.length === 0 ? 'No clips' : `Clips ${first}-${last}`} of ${page.total} (${counts})`)
    })
}
