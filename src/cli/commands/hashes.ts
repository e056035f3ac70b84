import type { Command } from 'commander'
import type { CliContext } from '../context'
import { matchedFromText } from '../format'
import { runMethod } from '../run-method'

/**
 * Known content on the command line (issue 14). The CLI cannot hash — frames are decoded by
 * Chromium in the app — so it reports what the app has hashed and what those hashes match.
 */
export function registerHashes(program: Command, ctx: CliContext): void {
  const hashes = program.command('hashes').description('perceptual hashes of the media (made in the background by the app)')
  hashes
    .command('status')
    .description('how many of the clips’ videos and posters are hashed, waiting, or could not be decoded')
    .option('--json', 'print the counts as JSON')
    .action(async (opts: { json?: boolean }) => {
      const s = await runMethod(ctx, 'hashes.status', {})
      if (opts.json) return ctx.json(s)
      ctx.out(`Hashed ${s.hashed} of ${s.total} media files; ${s.waiting} waiting, ${s.failed} could not be decoded.`)
      if (s.waiting > 0) ctx.out('Hashing happens in the app (Chromium decodes the frames): open Tinjau to let it finish.')
    })

  program
    .command('match')
    .description('the clips whose video matches this clip’s, and what was decided about them')
    .argument('<clip>', 'clip id')
    .option('--json', 'print the matches as JSON')
    .action(async (clipId: string, opts: { json?: boolean }) => {
      const r = await runMethod(ctx, 'clip.matches', { clipId })
      if (opts.json) return ctx.json(r)
      if (r.hashing !== 'hashed') {
        ctx.out(r.hashing === 'failed' ? `Clip ${clipId}: its video could not be decoded for hashing.` : `Clip ${clipId}: its video is not hashed yet (open Tinjau).`)
      }
      if (r.matches.length === 0) return ctx.out(`No known footage matches clip ${clipId}.`)
      for (const m of r.matches) {
        if (m.source === 'hashlist') {
          const d = m.decision
          const by = d.decidedBy ? ` by ${d.decidedBy}` : ''
          ctx.out(`hash list ${m.listName} (${m.issuerName}): ${m.label}\t${m.sameFile ? 'same file' : `${m.queryMatchPercent} % of its frames`}\tcarries ${d.action} (${d.categories.join(', ')})${by}`)
          continue
        }
        const how = m.sameFile ? 'same file' : `${m.queryMatchPercent} % of its frames`
        const what = m.decision
          ? `decided ${m.decision.action} (${m.decision.categories.join(', ')}) by ${m.decision.reviewerId} at ${m.decision.decidedAt}` +
            (m.decision.matchedFrom ? `, applied from a match with ${matchedFromText(m.decision.matchedFrom)}` : '')
          : m.outcome?.action
            ? `outcome ${m.outcome.kind}: ${m.outcome.action} (${m.outcome.categories.join(', ')})`
            : 'not decided'
        ctx.out(`${m.clipId}\t${how}\t${what}`)
      }
    })
}
