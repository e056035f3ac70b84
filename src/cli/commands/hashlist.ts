import path from 'node:path'
import type { Command } from 'commander'
import type { CliContext } from '../context'
import { runMethod } from '../run-method'

/**
 * Hash lists on the command line (docs/hash-list.md): import a signed list file into the
 * profile, list the lists held, remove one. A refused list prints why and where, and changes nothing.
 */
export function registerHashList(program: Command, ctx: CliContext): void {
  const hashlist = program.command('hashlist').description('signed lists of known content’s hashes, each entry carrying a decision')
  hashlist
    .command('import')
    .description('import a hash list file (a newer version of a list replaces the older one)')
    .argument('<file>', 'the hash list file (.zip)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const r = await runMethod(ctx, 'hashlist.import', { path: path.resolve(file) })
      if (opts.json) return ctx.json(r)
      const l = r.list
      const head = `Hash list "${l.name}" (${l.id}, version ${l.createdAt}) from ${l.issuerName} [${l.issuerPublicKey}]`
      if (r.outcome === 'unchanged') return ctx.out(`${head}: already imported, nothing changed.`)
      ctx.out(
        r.outcome === 'added'
          ? `${head}: imported ${l.entries} entries (${l.frames} frames).`
          : `${head}: replaced version ${r.previousCreatedAt}: ${r.entriesAdded} entries added, ${r.entriesReplaced} replaced, ${r.entriesRemoved} removed; ${l.entries} entries now.`,
      )
      if (!r.issuerPinned) ctx.out('Note: this profile trusts any issuer (setting import.trusted_issuer_keys is empty); the list was checked against its own key only.')
    })
  hashlist
    .command('rm')
    .description('remove a hash list from this profile (decisions already made stay)')
    .argument('<id>', 'the list id (see hashlist ls)')
    .action(async (id: string) => {
      await runMethod(ctx, 'hashlist.remove', { id })
      ctx.out(`Removed hash list ${id}.`)
    })
  hashlist
    .command('ls')
    .description('the hash lists in this profile')
    .option('--json', 'print the lists as JSON')
    .action(async (opts: { json?: boolean }) => {
      const { lists } = await runMethod(ctx, 'hashlist.list', {})
      if (opts.json) return ctx.json(lists)
      if (lists.length === 0) return ctx.out('No hash lists in this profile.')
      for (const l of lists) ctx.out(`${l.id}\t${l.name}\t${l.source}\t${l.issuerName}\t${l.createdAt}\t${l.entries} entries\t${l.frames} frames`)
    })
}
