/**
 * Store benchmark: import, decision latency and queue paging at 100,000 clips.
 *
 *   npx tsx bench/store.bench.ts          (or: npm run bench)
 *
 * Prints figures and whether each target is met; it never fails on timings (machines are
 * noisy). Everything it writes lives under os.tmpdir() and is removed at the end.
 * Optional environment: BENCH_CLIPS (default 100000), BENCH_IMPORT_RUNS (3), BENCH_DECISIONS (10000),
 * BENCH_PAGES (1000), BENCH_QUEUE_RUNS (30: runs of each filter/search query), BENCH_SEED (1), BENCH_KEEP=1 (keep the scratch folder, e.g. to profile
 * an import of its pack/ with `node --cpu-prof`).
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { openTinjau, type Tinjau } from '../src/core/tinjau'
import { openStore } from '../src/core/store/open-store'
import { NO_DUE_SORT } from '../src/core/store/schema'
import { scanClips } from '../src/core/pack-import/scan-clips'
import { tempDir } from '../src/core/testing/make-pack'
import { allowDraft, escalateDraft, removeDraft } from './store-drafts'
import { benchNow, generatePack, MEDIA_FILES, PACK_ID } from './store-pack'
import { mulberry32 } from '../src/core/testing/prng'
import type { ParsedInput } from '../src/shared/contract'

const CLIPS = Number(process.env.BENCH_CLIPS ?? 100_000)
const DECISIONS = Math.min(Number(process.env.BENCH_DECISIONS ?? 10_000), CLIPS)
const PAGE_ITERATIONS = Number(process.env.BENCH_PAGES ?? 1_000)
const IMPORT_RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 3)
const PAGE_SIZE = 100
const EXTRA_ITERATIONS = 200
const RESOURCES = path.resolve('resources')

const TARGET_IMPORT_MS = 5_000
const TARGET_IMPORT_RATIO = 3
const TARGET_DECISION_P99_MS = 5
const TARGET_PAGE_P95_MS = 10
/** The issue's UI figure is "filter or search change to updated list: p95 < 100 ms"; the core's share should be a small part of it. */
const TARGET_FILTER_P95_MS = 25
const QUEUE_RUNS = Number(process.env.BENCH_QUEUE_RUNS ?? 30)
/** The UI asks for pages of this many rows (renderer/components/use-queue.ts). */
const UI_PAGE_ROWS = 200
const BENCH_NOW = benchNow(CLIPS)

// ---------------------------------------------------------------- helpers

/** Deterministic, so two runs page through the same offsets. */
const rng = mulberry32

interface Stats {
  n: number
  p50: number
  p95: number
  p99: number
  max: number
  mean: number
}

function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b)
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s[s.length - 1] ?? NaN, mean: s.reduce((a, b) => a + b, 0) / s.length }
}

const ms = (v: number, digits = 2) => `${v.toFixed(digits)} ms`
const fmtStats = (s: Stats) =>
  `n=${s.n}  p50 ${ms(s.p50, 3)}  p95 ${ms(s.p95, 3)}  p99 ${ms(s.p99, 3)}  max ${ms(s.max, 3)}  mean ${ms(s.mean, 3)}`
const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED')

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now()
  const v = fn()
  return [v, performance.now() - t0]
}

async function timedAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now()
  const v = await fn()
  return [v, performance.now() - t0]
}

function loadavg(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')
}

function heading(title: string): void {
  console.log(`\n== ${title} ${'='.repeat(Math.max(0, 76 - title.length))}`)
}

// ---------------------------------------------------------------- raw baseline

type SqlValue = string | number | null

interface RawRows {
  media: [string, number, string][]
  clips: SqlValue[][]
  flags: SqlValue[][]
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)]
}

/**
 * The rows the importer writes, computed up front so the baseline times inserts only. Like
 * the importer's, a clip row points into the stored pack.json by byte range (raw_json '').
 */
function rawRows(clips: Record<string, unknown>[], manifestFile: string, now: string): RawRows {
  const media = new Map<string, [string, number, string]>()
  const clipRows: SqlValue[][] = []
  const flagRows: SqlValue[][] = []
  const layout = scanClips(readFileSync(manifestFile))
  if (!layout) throw new Error('the generated pack.json has no clips array')
  for (const [k, c] of (clips as any[]).entries()) {
    for (const ref of [c.media, c.poster]) if (ref) media.set(ref.sha256, [ref.sha256, ref.bytes, ref.mime])
    const flags = c.flags as any[]
    clipRows.push([
      c.id,
      PACK_ID,
      c.captured_at,
      c.due_at ?? null,
      c.due_at ? Date.parse(c.due_at) : NO_DUE_SORT,
      c.priority ?? null,
      c.media.sha256,
      c.poster?.sha256 ?? null,
      c.media.duration_ms ?? null,
      c.stream.title ?? null,
      c.account.handle ?? null,
      c.stream.region ?? null,
      c.stream.commerce ? 1 : 0,
      JSON.stringify(distinct(flags.map((f) => f.label))),
      JSON.stringify(distinct(flags.map((f) => f.source))),
      '',
      '0'.repeat(64),
      layout.ranges[2 * k]!,
      layout.ranges[2 * k + 1]! - layout.ranges[2 * k]!,
      flags.some((f) => f.source === 'authority_request') ? 1 : 0,
      now,
      now,
    ])
    flags.forEach((f, idx) =>
      flagRows.push([c.id, idx, f.source, f.label, f.score ?? null, f.at_ms ?? null, f.count ?? null, f.reference ?? null, f.due_at ?? null]),
    )
  }
  return { media: [...media.values()], clips: clipRows, flags: flagRows }
}

/** Plain prepared INSERTs in one transaction, into a store opened exactly as the app opens one. */
function rawInsert(dataDir: string, rows: RawRows, now: string): number {
  const store = openStore({ dataDir, migrationsDir: path.join(RESOURCES, 'migrations') })
  try {
    const { sqlite } = store
    const pack = sqlite.prepare(`INSERT INTO packs (id, manifest_sha256, created_at, signed, clip_count, header_json, imported_at, updated_at)
      VALUES (?, ?, ?, 0, ?, '{}', ?, ?)`)
    const media = sqlite.prepare('INSERT INTO media_objects (sha256, bytes, mime, created_at) VALUES (?, ?, ?, ?)')
    const clip = sqlite.prepare(`INSERT INTO clips (id, pack_id, captured_at, due_at, due_sort, priority, media_sha256, poster_sha256,
      duration_ms, stream_title, account_handle, region, commerce, flag_labels, flag_sources, raw_json, manifest_sha256, json_offset, json_length,
      authority, imported_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    const flag = sqlite.prepare(
      'INSERT INTO clip_flags (clip_id, idx, source, label, score, at_ms, count, reference, due_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    const run = sqlite.transaction(() => {
      pack.run(PACK_ID, '0'.repeat(64), '2025-09-04T08:00:00Z', rows.clips.length, now, now)
      for (const m of rows.media) media.run(...m, now)
      for (const c of rows.clips) clip.run(...c)
      for (const f of rows.flags) flag.run(...f)
    })
    // As the importer does: durable at COMMIT, the WAL copied into the database afterwards.
    sqlite.pragma('wal_autocheckpoint = 0')
    const [, elapsed] = timed(() => run())
    return elapsed
  } finally {
    store.close()
  }
}

// ---------------------------------------------------------------- main

interface SummaryRow {
  target: string
  measured: string
  met: boolean
}

async function main(): Promise<void> {
  const started = performance.now()
  const cpus = os.cpus()
  heading('environment')
  console.log(`node        ${process.version} (${process.platform}/${process.arch})`)
  console.log(`cpu         ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} logical cores (os.availableParallelism ${os.availableParallelism()})`)
  console.log(`memory      ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`)
  console.log(`load avg    ${loadavg()} (1/5/15 min; above the core count means other work competes for the CPU)`)
  console.log(`tmpdir      ${os.tmpdir()}`)
  console.log(`parameters  clips=${CLIPS} media files=${MEDIA_FILES} (+${MEDIA_FILES} posters) decisions=${DECISIONS} page iterations=${PAGE_ITERATIONS}`)

  const scratch = tempDir('tinjau-bench-')
  const summary: SummaryRow[] = []
  let tinjau: Tinjau | null = null
  try {
    // ---- the pack
    heading('generating the pack')
    const packDir = path.join(scratch, 'pack')
    mkdirSync(packDir)
    const [pack, genMs] = timed(() => generatePack(packDir, CLIPS))
    const packMb = pack.manifestBytes / 1e6
    console.log(`pack.json   ${packMb.toFixed(1)} MB (${(pack.manifestBytes / 2 ** 20).toFixed(1)} MiB), ${CLIPS} clips, ${Math.round(pack.manifestBytes / CLIPS)} bytes per clip on average (the spec's example clip: ~1,310 bytes)`)
    console.log(`generated   in ${ms(genMs, 0)}`)

    // ---- 1. import, against a raw baseline
    // The raw baseline runs once before and once after the import, each into its own fresh
    // store, and the ratio uses their mean: on a busy machine the load drifts between runs.
    // Its rows are built up front (untimed) and dropped before the importer runs.
    heading('1. import')
    // This machine's timings swing by a second or more from run to run, so the import and the
    // raw baseline each run IMPORT_RUNS times, alternating, each into a fresh store, and the
    // medians are compared. Garbage left by generating the pack is collected before each run.
    const now = new Date().toISOString()
    const collect = () => (globalThis as { gc?: () => void }).gc?.()
    const raw = (dir: string): number => {
      const rows = rawRows(pack.clips(), path.join(packDir, 'pack.json'), now)
      collect()
      const elapsed = rawInsert(path.join(scratch, dir), rows, now)
      console.log(`raw baseline    ${ms(elapsed, 0)}  (${rows.clips.length} clip rows + ${rows.flags.length} flag rows, plain prepared INSERTs, one transaction)`)
      rmSync(path.join(scratch, dir), { recursive: true, force: true })
      return elapsed
    }
    const importRuns: number[] = []
    const rawRuns: number[] = []
    let imported: Awaited<ReturnType<Tinjau['handlers']['pack.importDirectory']>> | null = null
    for (let run = 1; run <= IMPORT_RUNS; run++) {
      rawRuns.push(raw(`raw-${run}`))
      tinjau?.close()
      if (run > 1) rmSync(path.join(scratch, 'profile'), { recursive: true, force: true })
      tinjau = openTinjau({ dataDir: path.join(scratch, 'profile'), resourcesDir: RESOURCES, host: 'web', version: 'bench', now: () => new Date(BENCH_NOW) })
      const fresh = tinjau
      collect()
      const [summaryOfRun, importMs] = await timedAsync(async () => fresh.handlers['pack.importDirectory']({ path: packDir }))
      imported = summaryOfRun
      importRuns.push(importMs)
      console.log(`importer        ${ms(importMs, 0)}  (read + hash + scan + parse + validate + stage media + write rows + commit)`)
      // The importer leaves copying its WAL into the database to a checkpoint after it
      // returns; run that now, timed, so its cost is on record (it is not part of the import).
      const [, checkpointMs] = timed(() => fresh.store.sqlite.pragma('wal_checkpoint(PASSIVE)'))
      console.log(`checkpoint      ${ms(checkpointMs, 0)}  (after the import returned: its WAL copied into the database)`)
    }
    const t = tinjau!
    const importMs = stats(importRuns).p50
    const rawMs = stats(rawRuns).p50
    const ratio = importMs / rawMs
    console.log(`summary         added=${imported!.added} updated=${imported!.updated} mediaAdded=${imported!.mediaAdded} mediaBytesAdded=${imported!.mediaBytesAdded}`)
    console.log(`medians         import ${ms(importMs, 0)} (runs: ${importRuns.map((v) => v.toFixed(0)).join(', ')}), raw ${ms(rawMs, 0)} (runs: ${rawRuns.map((v) => v.toFixed(0)).join(', ')})`)
    console.log(`ratio           ${ratio.toFixed(2)}× the raw insert`)
    console.log(`throughput      ${Math.round(CLIPS / (importMs / 1000)).toLocaleString('en')} clips/s, ${(packMb / (importMs / 1000)).toFixed(1)} MB/s of pack.json`)
    console.log(`target          < ${TARGET_IMPORT_MS} ms: ${verdict(importMs < TARGET_IMPORT_MS)};  ≤ ${TARGET_IMPORT_RATIO}× raw: ${verdict(ratio <= TARGET_IMPORT_RATIO)}`)
    summary.push({ target: `import ${CLIPS} clips < ${TARGET_IMPORT_MS / 1000} s (median of ${IMPORT_RUNS})`, measured: ms(importMs, 0), met: importMs < TARGET_IMPORT_MS })
    summary.push({ target: `import ≤ ${TARGET_IMPORT_RATIO}× raw insert`, measured: `${ratio.toFixed(2)}× (raw ${ms(rawMs, 0)})`, met: ratio <= TARGET_IMPORT_RATIO })

    // The full-text index is built after the import returns, in the background: how long
    // until it is complete (nothing else runs meanwhile here; in the app, calls go between batches).
    const [, indexMs] = await timedAsync(() => t.search.whenIdle())
    console.log(`search index    ${ms(indexMs, 0)}  (background FTS5 build after the import, ${JSON.stringify(t.search.state())})`)

    // The same bytes again stop once pack.json is read, hashed and its header checked (the
    // clips are parsed only by an import that writes them): the fixed cost before any work.
    const [again, againMs] = await timedAsync(async () => t.handlers['pack.importDirectory']({ path: packDir }))
    console.log(`re-import       ${ms(againMs, 0)}  (same bytes, alreadyImported=${again.alreadyImported}: read + sha256 + UTF-8 + clip scan + header, then stops)`)

    // ---- 2. decisions
    heading('2. record a decision')
    const stride = Math.max(1, Math.floor(CLIPS / DECISIONS))
    const decisionMs: number[] = []
    for (let k = 0; k < DECISIONS; k++) {
      const clipId = `clip-${String(k * stride).padStart(6, '0')}`
      const draft = k % 10 === 0 ? allowDraft(clipId) : k % 10 === 1 ? escalateDraft(clipId) : removeDraft(clipId)
      const t0 = performance.now()
      t.handlers['decision.record'](draft)
      decisionMs.push(performance.now() - t0)
    }
    const ds = stats(decisionMs)
    const sync = t.store.sqlite.pragma('synchronous', { simple: true })
    const journal = t.store.sqlite.pragma('journal_mode', { simple: true })
    console.log(`store           journal_mode=${journal} synchronous=${sync} (2 = FULL)`)
    console.log(`decision.record ${fmtStats(ds)}`)
    console.log(`target          p99 < ${TARGET_DECISION_P99_MS} ms: ${verdict(ds.p99 < TARGET_DECISION_P99_MS)}`)
    summary.push({ target: `decision p99 < ${TARGET_DECISION_P99_MS} ms`, measured: `p99 ${ms(ds.p99, 3)} (p50 ${ms(ds.p50, 3)}, max ${ms(ds.max, 1)})`, met: ds.p99 < TARGET_DECISION_P99_MS })

    // ---- 3. queue pages
    heading('3. queue page')
    const random = rng(Number(process.env.BENCH_SEED ?? 1))
    const counts = t.queue.counts()
    console.log(`counts          ${JSON.stringify(counts)}`)
    const pages = (total: number) => Math.max(1, Math.ceil(total / PAGE_SIZE))
    const runPages = (status: ParsedInput<'queue.list'>['status'], total: number): Stats => {
      const samples: number[] = []
      for (let k = 0; k < PAGE_ITERATIONS; k++) {
        const offset = Math.floor(random() * pages(total)) * PAGE_SIZE
        // By due time, as the issue's figure says (the UI's default order is urgency; section 4 times it).
        const q: ParsedInput<'queue.list'> = status ? { status, sort: 'due', limit: PAGE_SIZE, offset } : { sort: 'due', limit: PAGE_SIZE, offset }
        const t0 = performance.now()
        const page = t.handlers['queue.list'](q)
        samples.push(performance.now() - t0)
        if (page.items.length === 0 && offset < total) throw new Error(`empty page at offset ${offset} of ${total}`)
      }
      return stats(samples)
    }
    const all = Object.values(counts).reduce((a, b) => a + b, 0)
    const pending = runPages(['pending'], counts.pending)
    const unfiltered = runPages(undefined, all)
    const countsOnly = stats(Array.from({ length: PAGE_ITERATIONS }, () => timed(() => t.queue.counts())[1]))
    console.log(`status=pending  ${fmtStats(pending)}  (random offset over ${pages(counts.pending)} pages)`)
    console.log(`unfiltered      ${fmtStats(unfiltered)}  (random offset over ${pages(all)} pages)`)
    console.log(`counts() alone  ${fmtStats(countsOnly)}  (part of every page call)`)
    console.log(`target          p95 < ${TARGET_PAGE_P95_MS} ms: pending ${verdict(pending.p95 < TARGET_PAGE_P95_MS)}, unfiltered ${verdict(unfiltered.p95 < TARGET_PAGE_P95_MS)}`)

    // Not targets, printed for context: the page a reviewer sees right after a decision
    // (the status counts have changed, so they are counted again), and a two-status filter.
    const decided = (i: number) => i % stride === 0 && i / stride < DECISIONS
    const fresh = Array.from({ length: CLIPS }, (_, i) => CLIPS - 1 - i).filter((i) => !decided(i)).slice(0, EXTRA_ITERATIONS)
    const afterDecision: number[] = []
    for (const i of fresh) {
      const clipId = `clip-${String(i).padStart(6, '0')}`
      t.handlers['decision.record']({ clipId, categories: ['ok.other'], action: 'allow', escalationTarget: null, ranges: [], rationale: '', revisesId: null, matchedFrom: null })
      const offset = Math.floor(random() * pages(counts.pending)) * PAGE_SIZE
      const t0 = performance.now()
      t.handlers['queue.list']({ status: ['pending'], limit: PAGE_SIZE, offset })
      afterDecision.push(performance.now() - t0)
    }
    const twoStatus: number[] = []
    for (let k = 0; k < EXTRA_ITERATIONS; k++) {
      const offset = Math.floor(random() * pages(counts.pending + counts.decided)) * PAGE_SIZE
      twoStatus.push(timed(() => t.handlers['queue.list']({ status: ['pending', 'decided'], limit: PAGE_SIZE, offset }))[1])
    }
    if (afterDecision.length > 0) console.log(`after a decision ${fmtStats(stats(afterDecision))}  (status=pending; counts recomputed)`)
    console.log(`pending+decided ${fmtStats(stats(twoStatus))}  (two-status filter)`)
    summary.push({ target: `queue page (pending) p95 < ${TARGET_PAGE_P95_MS} ms`, measured: `p95 ${ms(pending.p95, 3)} (p99 ${ms(pending.p99, 3)})`, met: pending.p95 < TARGET_PAGE_P95_MS })
    summary.push({ target: `queue page (all) p95 < ${TARGET_PAGE_P95_MS} ms`, measured: `p95 ${ms(unfiltered.p95, 3)} (p99 ${ms(unfiltered.p99, 3)})`, met: unfiltered.p95 < TARGET_PAGE_P95_MS })

    // ---- 4. filters and search
    heading('4. queue filters and search (core, first page of the list)')
    const queries: [string, ParsedInput<'queue.list'>][] = [
      ['all, urgency', { limit: UI_PAGE_ROWS, offset: 0 }],
      ['status=pending', { status: ['pending'], limit: UI_PAGE_ROWS, offset: 0 }],
      ['category', { categories: ['violence.arson'], limit: UI_PAGE_ROWS, offset: 0 }],
      ['two categories', { categories: ['hate', 'unknown.vendor_label'], limit: UI_PAGE_ROWS, offset: 0 }],
      ['source=authority', { sources: ['authority_request'], limit: UI_PAGE_ROWS, offset: 0 }],
      ['region', { region: 'ID-JB', limit: UI_PAGE_ROWS, offset: 0 }],
      ['commerce', { commerce: true, limit: UI_PAGE_ROWS, offset: 0 }],
      ['due within 4 h', { dueWithinHours: 4, limit: UI_PAGE_ROWS, offset: 0 }],
      ['sort=due', { sort: 'due', limit: UI_PAGE_ROWS, offset: 0 }],
      ['sort=priority', { sort: 'priority', limit: UI_PAGE_ROWS, offset: 0 }],
      ['combined', { status: ['pending'], commerce: false, categories: ['violence.arson'], dueWithinHours: 24, limit: UI_PAGE_ROWS, offset: 0 }],
      ['rare: none match', { categories: ['no.such.label'], limit: UI_PAGE_ROWS, offset: 0 }],
    ]
    const searches: [string, ParsedInput<'queue.list'>][] = [
      ['search word', { search: 'bakar', limit: UI_PAGE_ROWS, offset: 0 }],
      ['search two words', { search: 'kumpul gerbang', limit: UI_PAGE_ROWS, offset: 0 }],
      ['search phrase', { search: '"jangan terprovokasi"', limit: UI_PAGE_ROWS, offset: 0 }],
      ['search prefix', { search: 'prom*', limit: UI_PAGE_ROWS, offset: 0 }],
      ['search OR', { search: 'banjir OR hoaks', limit: UI_PAGE_ROWS, offset: 0 }],
      ['search NOT', { search: 'bakar NOT lokasi', limit: UI_PAGE_ROWS, offset: 0 }],
      ['search rare', { search: 'giveaway transfer', limit: UI_PAGE_ROWS, offset: 0 }],
      ['search + filters', { search: 'bakar', status: ['pending'], commerce: false, limit: UI_PAGE_ROWS, offset: 0 }],
      ['search, junk', { search: '"bakar', limit: UI_PAGE_ROWS, offset: 0 }],
    ]
    const measure = (list: [string, ParsedInput<'queue.list'>][]): number[] => {
      const all: number[] = []
      for (const [name, q] of list) {
        const samples: number[] = []
        let page: ReturnType<Tinjau['queue']['page']> | null = null
        for (let k = 0; k < QUEUE_RUNS; k++) {
          const t0 = performance.now()
          page = t.handlers['queue.list'](q)
          samples.push(performance.now() - t0)
        }
        all.push(...samples)
        const st = stats(samples)
        console.log(`${name.padEnd(18)} p50 ${ms(st.p50, 2).padStart(9)}  p95 ${ms(st.p95, 2).padStart(9)}  max ${ms(st.max, 1).padStart(8)}  total=${page!.total}${page!.searchHint ? ` hint=${page!.searchHint}` : ''}`)
      }
      return all
    }
    const filterAll = stats(measure(queries))
    console.log(`filters, all     ${fmtStats(filterAll)}`)
    const searchAll = stats(measure(searches))
    console.log(`searches, all    ${fmtStats(searchAll)}`)
    // Scrolling deep into a filtered list: pages at random offsets.
    const deep = (q: ParsedInput<'queue.list'>): Stats => {
      const total = t.handlers['queue.list']({ ...q, limit: 1, offset: 0 }).total
      return stats(
        Array.from({ length: QUEUE_RUNS * 4 }, () => {
          const offset = Math.floor(random() * Math.max(1, total - UI_PAGE_ROWS))
          return timed(() => t.handlers['queue.list']({ ...q, limit: UI_PAGE_ROWS, offset }))[1]
        }),
      )
    }
    console.log(`deep, urgency    ${fmtStats(deep({ limit: UI_PAGE_ROWS, offset: 0 }))}`)
    console.log(`deep, category   ${fmtStats(deep({ categories: ['violence.arson'], limit: UI_PAGE_ROWS, offset: 0 }))}`)
    console.log(`deep, search     ${fmtStats(deep({ search: 'bakar', limit: UI_PAGE_ROWS, offset: 0 }))}`)
    summary.push({ target: `filter change p95 < ${TARGET_FILTER_P95_MS} ms (core)`, measured: `p95 ${ms(filterAll.p95, 2)} (p50 ${ms(filterAll.p50, 2)})`, met: filterAll.p95 < TARGET_FILTER_P95_MS })
    summary.push({ target: `search change p95 < ${TARGET_FILTER_P95_MS} ms (core)`, measured: `p95 ${ms(searchAll.p95, 2)} (p50 ${ms(searchAll.p50, 2)})`, met: searchAll.p95 < TARGET_FILTER_P95_MS })

    // ---- summary
    heading('summary')
    const w0 = Math.max(...summary.map((r) => r.target.length), 6)
    const w1 = Math.max(...summary.map((r) => r.measured.length), 8)
    console.log(`${'target'.padEnd(w0)}  ${'measured'.padEnd(w1)}  result`)
    console.log(`${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ------`)
    for (const r of summary) console.log(`${r.target.padEnd(w0)}  ${r.measured.padEnd(w1)}  ${verdict(r.met)}`)
    console.log(`\npack.json ${packMb.toFixed(1)} MB; ${summary.filter((r) => r.met).length}/${summary.length} targets met; load avg now ${loadavg()}; whole run ${((performance.now() - started) / 1000).toFixed(0)} s`)
  } finally {
    tinjau?.close()
    if (process.env.BENCH_KEEP === '1') console.log(`\nkept ${scratch}`)
    else rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
