import path from 'node:path'
import { Option, type Command } from 'commander'
import { exportSource, writeDecisionPack, writeDecisionsCsv, writeDsaStatements, type ExportSelection } from '../../core/export'
import type { CliContext } from '../context'
import { formatBytes } from '../format'
import { plural, registerVerify } from './verify'

export const EXPORT_FORMATS = ['pack', 'dsa', 'csv'] as const
type ExportFormat = (typeof EXPORT_FORMATS)[number]

interface ExportOptions {
  format: ExportFormat
  out: string
  from?: string
  to?: string
  pack?: string
  force?: boolean
  json?: boolean
}

/** `export`, and `verify` for the packs it writes. */
export function registerExportCommands(program: Command, ctx: CliContext): void {
  registerExport(program, ctx)
  registerVerify(program, ctx)
}

function registerExport(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description('export decisions: a signed decision pack for a lead, DSA statements of reasons, or CSV')
    .addOption(new Option('--format <format>', 'pack: signed decision pack (.zip); dsa: statement files into a folder; csv: one file').choices(EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption('--out <path>', 'the file to write (pack, csv) or the folder for the statement files (dsa)')
    .option('--from <time>', 'only decisions decided at or after this time (RFC 3339 with a zone, or YYYY-MM-DD in UTC)')
    .option('--to <time>', 'only decisions decided before this time (same forms)')
    .option('--pack <pack-id>', "only decisions on this field pack's clips")
    .option('--force', 'replace the output file if it exists (pack, csv)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nRevision chains come whole: a decision in the selection brings the decisions it revises and those that revise it.\nDSA statements are made for the decision in force of each chain, and only for restrictive actions.')
    .action(async (opts: ExportOptions) => {
      const profile = await ctx.profile()
      const source = exportSource(profile)
      const out = path.resolve(ctx.cwd, opts.out)
      const sel: ExportSelection = { from: opts.from, to: opts.to, packId: opts.pack }
      const overwrite = opts.force ?? false
      if (opts.format === 'pack') {
        const key = profile.deviceKey()
        const r = await writeDecisionPack(source, key, out, { ...sel, overwrite })
        if (opts.json) return ctx.json(r)
        const c = r.counts
        ctx.out(
          `Exported ${plural(c.decisions, 'decision')} (${plural(c.revisions, 'revision')}, ${plural(c.clips, 'clip')}, ${plural(c.packs, 'pack')}) ` +
            `to ${r.file} (${formatBytes(r.bytes)}), signed by this device with ${r.publicKey}.`,
        )
      } else if (opts.format === 'dsa') {
        const r = await writeDsaStatements(source, out, sel)
        if (opts.json) return ctx.json(r)
        const none = r.skipped.not_restrictive + r.skipped.unknown_action
        ctx.out(
          `Wrote ${plural(r.statements, 'statement')} of reasons in ${plural(r.files.length, 'file')} to ${r.dir}` +
            (none > 0 ? ` (${plural(none, 'decision')} in force gave none: ${r.skipped.not_restrictive} not restrictive, ${r.skipped.unknown_action} with an action the policy does not know).` : '.'),
        )
      } else {
        const r = await writeDecisionsCsv(source, out, { ...sel, overwrite })
        if (opts.json) return ctx.json(r)
        ctx.out(`Wrote ${plural(r.rows, 'decision')} to ${r.file}.`)
      }
    })
}
