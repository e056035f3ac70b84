import path from 'node:path'
import type { Command } from 'commander'
import type { ImportSummary } from '../../shared/domain'
import type { CliContext } from '../context'
import { formatBytes } from '../format'
import { ProgressLine } from '../import-progress'
import { runMethod } from '../run-method'

export function describeImport(s: ImportSummary): string {
  if (s.alreadyImported) return `Pack ${s.packId} was already imported; nothing changed (${s.clips} clips).`
  return (
    `Imported pack ${s.packId}: ${s.clips} clips (${s.added} added, ${s.updated} updated, ${s.unchanged} unchanged), ` +
    `${s.mediaAdded} media files added (${formatBytes(s.mediaBytesAdded)}).`
  )
}

export function registerImport(program: Command, ctx: CliContext): void {
  program
    .command('import')
    .description('import a field pack, a folder or a .zip (all or nothing); Ctrl+C cancels and changes nothing')
    .argument('<pack>', 'a folder with pack.json at its root, or a .zip of one')
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'no progress on stderr')
    .action(async (pack: string, opts: { json?: boolean; quiet?: boolean }) => {
      const profile = await ctx.profile()
      const importId = `cli-${process.pid}-${Date.now().toString(36)}`
      const progress = opts.quiet ? null : new ProgressLine((text) => ctx.io.stderr(text), ctx.io.stderrIsTerminal === true)
      const unsubscribe = profile.onEvent((event, payload) => {
        if (event === 'pack.importProgress' && 'importId' in payload && payload.importId === importId) progress?.update(payload)
      })
      const cancel = () => profile.imports.cancel(importId)
      process.once('SIGINT', cancel)
      ctx.io.signal?.addEventListener('abort', cancel, { once: true })
      try {
        const summary = await runMethod(ctx, 'pack.import', { path: path.resolve(ctx.cwd, pack), importId })
        if (opts.json) ctx.json(summary)
        else ctx.out(describeImport(summary))
      } finally {
        progress?.finish()
        unsubscribe()
        process.off('SIGINT', cancel)
        ctx.io.signal?.removeEventListener('abort', cancel)
      }
    })
}
