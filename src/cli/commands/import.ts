import path from 'node:path'
import type { Command } from 'commander'
import type { ImportSummary } from '../../shared/domain'
import type { CliContext } from '../context'
import { formatBytes } from '../format'
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
    .description('import a field pack folder (all or nothing)')
    .argument('<pack-dir>', 'folder with pack.json at its root')
    .option('--json', 'print the summary as JSON')
    .action(async (packDir: string, opts: { json?: boolean }) => {
      const summary = await runMethod(ctx, 'pack.importDirectory', { path: path.resolve(ctx.cwd, packDir) })
      if (opts.json) ctx.json(summary)
      else ctx.out(describeImport(summary))
    })
}
