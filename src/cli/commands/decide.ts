import type { Command } from 'commander'
import type { DecisionRecord } from '../../shared/domain'
import type { ApiError } from '../../shared/errors'
import type { CliContext } from '../context'
import { rangeSpec } from '../parse-values'
import { runMethod } from '../run-method'

interface DecideOptions {
  action: string
  category: string[]
  rationale?: string
  escalationTarget?: string
  range?: string[]
  revises?: string
  json?: boolean
}

export function describeDecision(d: DecisionRecord): string {
  const revises = d.revisesId ? `, revising ${d.revisesId}` : ''
  return `Recorded decision ${d.id} on clip ${d.clipId}: ${d.action} (${d.categories.join(', ')})${revises}.`
}

export function registerDecide(program: Command, ctx: CliContext): void {
  program
    .command('decide')
    .description('record a decision on a clip (checked against the policy like in the app)')
    .argument('<clip>', 'clip id')
    .requiredOption('--action <action>', 'policy action id, e.g. remove, allow, escalate')
    .requiredOption('--category <category...>', 'policy category ids')
    .option('--rationale <text>', 'why (required by most actions)')
    .option('--escalation-target <target>', 'who to escalate to (with --action escalate)')
    .option('--range <range...>', 'time ranges as start-end[:label], in ms or seconds with "s": 12000-15000:fire, 12s-15s')
    .option('--revises <decision-id>', 'the decision in force this one replaces')
    .option('--json', 'print the recorded decision as JSON')
    .action(async (clipId: string, opts: DecideOptions) => {
      // When the clip already has a decision, say which one to revise.
      const hint = async (error: ApiError) => {
        if (error.code !== 'conflict' || opts.revises) return undefined
        const clip = await (await ctx.profile()).handlers['clip.get']({ clipId })
        const inForce = clip.decisions.at(-1)
        return inForce ? `To replace it, run the same command with --revises ${inForce.id}` : undefined
      }
      const record = await runMethod(
        ctx,
        'decision.record',
        {
          clipId,
          action: opts.action,
          categories: opts.category,
          ...(opts.rationale !== undefined ? { rationale: opts.rationale } : {}),
          ...(opts.escalationTarget !== undefined ? { escalationTarget: opts.escalationTarget } : {}),
          ...(opts.range ? { ranges: opts.range.map(rangeSpec) } : {}),
          ...(opts.revises !== undefined ? { revisesId: opts.revises } : {}),
        },
        hint,
      )
      if (opts.json) ctx.json(record)
      else ctx.out(describeDecision(record))
    })
}
