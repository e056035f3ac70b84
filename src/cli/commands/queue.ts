import { Option, type Command } from 'commander'
import { parseSearch } from '../../core/search-query'
import { CLIP_STATUSES, QUEUE_SORTS, type ClipStatus, type QueueSort, type SearchHint } from '../../shared/domain'
import { FLAG_SOURCES, type FlagSource } from '../../shared/field-pack'
import type { CliContext } from '../context'
import { table } from '../format'
import { hours, wholeNumber } from '../parse-values'
import { runMethod } from '../run-method'

interface QueueOptions {
  status?: ClipStatus[]
  category?: string[]
  source?: FlagSource[]
  region?: string
  /** true: --commerce, false: --no-commerce, absent: both. */
  commerce?: boolean
  dueWithin?: number
  search?: string
  hasMatch?: 'any' | 'decided'
  groupCopies?: boolean
  sort?: QueueSort
  limit?: string
  offset?: string
  json?: boolean
}

/** What is wrong with a search the queue could not read (the app words the same codes in its i18n files). */
export const SEARCH_HINT_TEXT: Record<SearchHint, string> = {
  unbalanced_quotes: 'a quotation mark is not closed; close the phrase with a second "',
  unbalanced_parentheses: 'the brackets do not pair up',
  dangling_operator: 'OR, AND and NOT need a word on both sides',
  bad_wildcard: '* goes at the end of a word, as in bakar*',
  no_terms: 'there is no word to search for',
  syntax: 'the search could not be read; try plain words',
}

const SEARCH_SYNTAX = 'words, "a phrase", word*, OR, AND, NOT, ( )'

/**
 * The CLI builds no full-text index in the background (see core/tinjau.ts), so a search
 * first brings it up to date: once per import, since the index is kept in the profile.
 */
async function catchUpSearchIndex(ctx: CliContext): Promise<void> {
  const { search } = await ctx.profile()
  const state = search.state()
  if (state.complete) return
  if (state.waiting > 0) ctx.io.stderr(`tinjau: adding ${state.waiting} clips to the search index first…\n`)
  search.start()
  await search.whenIdle()
}

/**
 * Nor does it store match pairs in the background: a known-content filter first stores those
 * the app has not (videos hashed before the index loaded, or before the tolerances changed).
 */
async function catchUpMatchPairs(ctx: CliContext): Promise<void> {
  const done = (await ctx.profile()).knownContent.scanPending()
  if (done > 0) ctx.io.stderr(`tinjau: matched ${done} hashed videos against the others first\n`)
}

export function registerQueue(program: Command, ctx: CliContext): void {
  program
    .command('queue')
    .description('list clips in review order (most urgent first), with the filters of the app')
    .addOption(new Option('--status <status...>', 'only clips with these statuses').choices(CLIP_STATUSES))
    .option('--category <id...>', 'only clips with a flag of any of these labels (policy category ids or vendor labels)')
    .addOption(new Option('--source <source...>', 'only clips with a flag from any of these sources').choices(FLAG_SOURCES))
    .option('--region <code>', "only clips whose stream's region is exactly this code, e.g. ID-JK")
    .option('--commerce', 'only live-selling streams')
    .option('--no-commerce', 'only streams that are not live-selling (neither flag: both)')
    .addOption(new Option('--due-within <hours>', 'only clips due within this many hours, overdue ones included').argParser(hours))
    .option('--search <text>', `full-text search of titles, transcripts and chat: ${SEARCH_SYNTAX}`)
    .addOption(
      new Option('--has-match [which]', 'only clips whose video matches another clip (any), or a decided clip (decided)').choices(['any', 'decided']).preset('any'),
    )
    .option('--group-copies', 'list copies of the same footage together, where the first of them falls')
    .addOption(new Option('--sort <order>', 'order of the list (default: urgency)').choices(QUEUE_SORTS))
    .option('--limit <n>', 'at most n clips (1-500)', '50')
    .option('--offset <n>', 'skip the first n clips', '0')
    .option('--json', 'print the page as JSON')
    .action(async (opts: QueueOptions) => {
      const query = {
        ...(opts.status ? { status: opts.status } : {}),
        ...(opts.category ? { categories: opts.category } : {}),
        ...(opts.source ? { sources: opts.source } : {}),
        ...(opts.region !== undefined ? { region: opts.region } : {}),
        ...(opts.commerce !== undefined ? { commerce: opts.commerce } : {}),
        ...(opts.dueWithin !== undefined ? { dueWithinHours: opts.dueWithin } : {}),
        ...(opts.search !== undefined ? { search: opts.search } : {}),
        ...(opts.hasMatch ? { hasMatch: opts.hasMatch } : {}),
        ...(opts.groupCopies ? { groupCopies: true } : {}),
        ...(opts.sort ? { sort: opts.sort } : {}),
        limit: wholeNumber('--limit', opts.limit),
        offset: wholeNumber('--offset', opts.offset),
      }
      if (opts.search !== undefined && parseSearch(opts.search).kind === 'query') await catchUpSearchIndex(ctx)
      if (opts.hasMatch || opts.groupCopies) await catchUpMatchPairs(ctx)
      const page = await runMethod(ctx, 'queue.list', query)
      // Like the app: a search that cannot be read gives no results and a hint, not an error.
      if (page.searchHint) {
        ctx.io.stderr(`tinjau: no results, the search ${JSON.stringify(opts.search)} cannot be read: ${SEARCH_HINT_TEXT[page.searchHint]}\n`)
        ctx.io.stderr(`  search syntax: ${SEARCH_SYNTAX}\n`)
      }
      if (opts.json) return ctx.json(page)
      const rows = page.items.map((i) => [i.id, i.status, i.priority, i.dueAt, i.copies ? `${i.copies.count} (${i.copies.group})` : null, i.flagLabels.join(', '), i.streamTitle])
      const first = page.items.length === 0 ? 0 : Number(opts.offset ?? 0) + 1
      const last = Number(opts.offset ?? 0) + page.items.length
      const counts = CLIP_STATUSES.map((s) => `${s} ${page.counts[s] ?? 0}`).join(', ')
      if (rows.length > 0) ctx.out(table(['CLIP', 'STATUS', 'PRIORITY', 'DUE', 'COPIES', 'FLAGS', 'STREAM'], rows))
      ctx.out(`${rows.length === 0 ? 'No clips' : `Clips ${first}-${last}`} of ${page.total} (${counts})`)
    })
}
