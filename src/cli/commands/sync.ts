import type { Command } from 'commander'
import type { SyncRunResult, SyncStatus } from '../../core/sync'
import type { CliContext } from '../context'
import { plural } from './verify'

/** One line for a status, as `tinjau sync` shows it while it runs and `--status` prints it. */
export function describeSyncStatus(s: SyncStatus): string {
  const waiting = `${plural(s.counts.pending, 'decision')} waiting`
  switch (s.state) {
    case 'not_enrolled':
      return 'not enrolled: run "tinjau enroll <server-url> <code>" with the code from your lead'
    case 'idle':
      return `enrolled, not synced yet; ${waiting}`
    case 'up_to_date':
      return s.counts.pending > 0 ? `synced before; ${waiting}` : 'up to date'
    case 'syncing':
      return `syncing (${s.phase}): ${s.done}${s.total === null ? '' : `/${s.total}`}`
    case 'offline':
      return `offline (${s.message}); ${waiting}${s.nextRetryAt ? `, next try at ${s.nextRetryAt}` : ''}`
    case 'error':
      return `error (${s.code}): ${s.message}. ${s.next}`
  }
}

export function describeSyncRun(r: SyncRunResult): string {
  const { pushed, pulled } = r
  return (
    `Pushed ${plural(pushed.stored + pushed.duplicate + pushed.rejected, 'decision')} (${pushed.stored} new on the server, ${pushed.duplicate} it had already, ${pushed.rejected} refused). ` +
    `Pulled ${plural(pulled.added + pulled.updated, 'clip')} (${pulled.added} new, ${pulled.updated} updated, ${pulled.removed} unassigned, ` +
    `${pulled.kept} unassigned but kept for their decisions here), ${plural(pulled.mediaDownloaded, 'media file')} downloaded. ` +
    `${plural(r.notices, 'open adjudication')} on clips you decided; ${plural(r.outcomes, 'outcome')} received.`
  )
}

/** `enroll`, `unenroll` and `sync`: this device and the team's sync server. */
export function registerSync(program: Command, ctx: CliContext): void {
  program
    .command('enroll')
    .description("enroll this device with the team's sync server, using the one-time code an operator made for you")
    .argument('<server-url>', 'the sync server, e.g. https://sync.example.org')
    .argument('<code>', 'the enrollment code')
    .option('--json', 'print the result as JSON')
    .action(async (url: string, code: string, opts: { json?: boolean }) => {
      const server = await (await ctx.profile()).sync.enroll(url, code)
      if (opts.json) return ctx.json(server)
      ctx.out(`Enrolled with ${server.url} as ${server.reviewerName} (${server.reviewerId}). Decisions you make from now on are pushed by "tinjau sync".`)
    })

  program
    .command('unenroll')
    .description('forget the sync server and this device\'s token; decisions stay in the profile')
    .action(async () => {
      const sync = (await ctx.profile()).sync
      const pending = sync.status().counts.pending
      await sync.unenroll()
      ctx.out(`Unenrolled.${pending > 0 ? ` ${plural(pending, 'decision')} had not reached the server; they stay here.` : ''}`)
    })

  program
    .command('sync')
    .description('push decisions to the sync server and pull assignments, once (Ctrl+C stops; what was answered stays applied)')
    .option('--status', 'only print the status, the refused decisions and the open adjudications')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { status?: boolean; json?: boolean }) => {
      const sync = (await ctx.profile()).sync
      if (opts.status) {
        const status = sync.status()
        const issues = { rejected: sync.rejectedDecisions(), adjudications: sync.notices() }
        if (opts.json) return ctx.json({ status, ...issues })
        ctx.out(describeSyncStatus(status))
        for (const r of issues.rejected) ctx.out(`  refused: decision ${r.decisionId} on clip ${r.clipId}: ${r.rejection}${r.message ? ` (${r.message})` : ''}`)
        for (const a of issues.adjudications) {
          ctx.out(`  adjudication: clip ${a.clip_id}: ${a.decisions.map((d) => `${d.reviewer_id} chose ${d.action} (${d.categories.join(', ')})`).join('; ')}`)
        }
        return
      }
      const abort = new AbortController()
      const stop = () => abort.abort()
      process.once('SIGINT', stop)
      ctx.io.signal?.addEventListener('abort', stop, { once: true })
      const terminal = ctx.io.stderrIsTerminal === true
      let drawn = 0
      const off = sync.onStatus((s) => {
        if (!terminal || opts.json) return
        const line = describeSyncStatus(s)
        ctx.io.stderr(`\r${line.padEnd(drawn)}`)
        drawn = line.length
      })
      try {
        const result = await sync.syncNow({ signal: abort.signal })
        if (drawn > 0) ctx.io.stderr('\n')
        drawn = 0
        if (opts.json) return ctx.json(result)
        ctx.out(describeSyncRun(result))
      } finally {
        off()
        if (drawn > 0) ctx.io.stderr('\n')
        drawn = 0
        process.off('SIGINT', stop)
        ctx.io.signal?.removeEventListener('abort', stop)
      }
    })
}
