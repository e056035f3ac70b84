import path from 'node:path'
import type { Command } from 'commander'
import { verifyDecisionPack } from '../../core/export'
import type { CliContext } from '../context'
import { CliExit, EXIT } from '../exit-codes'

/** "1 decision", "3 decisions". */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

interface VerifyOptions {
  publicKey?: string
  json?: boolean
}

export function registerVerify(program: Command, ctx: CliContext): void {
  program
    .command('verify')
    .description('check a decision pack: its signature, its contents and its counts (exit 2 and each problem if it fails)')
    .argument('<file>', 'the decision pack (.zip)')
    .option('--public-key <key>', 'also require this signer (ed25519:<base64>), e.g. the key the device enrolled with')
    .option('--json', 'print the result as JSON')
    // Needs no profile: a lead checks packs from other machines.
    .action(async (file: string, opts: VerifyOptions) => {
      const full = path.resolve(ctx.cwd, file)
      const r = await verifyDecisionPack(full, opts.publicKey !== undefined ? { expectedPublicKey: opts.publicKey } : {})
      if (opts.json) ctx.json(r)
      if (r.ok) {
        if (opts.json) return
        const s = r.summary
        const span = s.firstDecidedAt ? `, decided ${s.firstDecidedAt} to ${s.lastDecidedAt}` : ''
        ctx.out(
          `Decision pack OK: ${plural(s.counts.decisions, 'decision')} (${plural(s.counts.revisions, 'revision')}) on ${plural(s.counts.clips, 'clip')} ` +
            `from ${plural(s.counts.packs, 'pack')}${span}.\n` +
            `Exported ${s.createdAt} by device ${s.deviceId} (reviewer ${s.reviewerId}), signed with ${s.publicKey}.`,
        )
        return
      }
      ctx.io.stderr(`tinjau: ${full} is not a valid decision pack:\n${r.problems.map((p) => `  ${p.message}`).join('\n')}\n`)
      throw new CliExit(EXIT.refused)
    })
}
