/**
 * What one decision writes: the WAL frames (pages) each `decision.record` appends, by the
 * table or index they belong to, in a clear profile of BENCH_CLIPS clips (100,000). Prints
 * counts; never fails on them. `npx tsx bench/decision-wal-frames.ts`
 *
 * Frame headers of the WAL are not encrypted (only the pages are), so the count is the same
 * for an encrypted profile; a clear one lets dbstat name each page.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { openTinjau } from '../src/core/tinjau'
import { tempDir } from '../src/core/testing/make-pack'
import type { ParsedInput } from '../src/shared/contract'
import { benchNow, generatePack } from './store-pack'
import { allowDraft, removeDraft } from './store-drafts'

const CLIPS = Number(process.env.BENCH_CLIPS ?? 100_000)
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 200)
const WAL_HEADER = 32
const FRAME_HEADER = 24

function draft(clipId: string, k: number): ParsedInput<'decision.record'> {
  return k % 5 === 0 ? allowDraft(clipId) : removeDraft(clipId)
}

/** Page numbers of the frames in [fromFrame, end) of the WAL file. */
function framePages(walFile: string, pageSize: number, fromFrame: number): { pages: number[]; frames: number } {
  const size = statSync(walFile).size
  const frameSize = FRAME_HEADER + pageSize
  const frames = Math.floor((size - WAL_HEADER) / frameSize)
  const pages: number[] = []
  const fd = openSync(walFile, 'r')
  const head = Buffer.alloc(FRAME_HEADER)
  try {
    for (let f = fromFrame; f < frames; f++) {
      readSync(fd, head, 0, FRAME_HEADER, WAL_HEADER + f * frameSize)
      pages.push(head.readUInt32BE(0))
    }
  } finally {
    closeSync(fd)
  }
  return { pages, frames }
}

async function main(): Promise<void> {
  const scratch = tempDir('tinjau-wal-frames-')
  try {
    const packDir = path.join(scratch, 'pack')
    mkdirSync(packDir)
    generatePack(packDir, CLIPS)
    const dataDir = path.join(scratch, 'profile')
    const t = openTinjau({ dataDir, resourcesDir: path.resolve('resources'), host: 'web', version: 'bench', now: () => new Date(benchNow(CLIPS)), keys: null })
    await t.handlers['pack.importDirectory']({ path: packDir })
    await t.search.whenIdle()
    const sqlite = t.store.sqlite
    const walFile = `${t.store.paths.database}-wal`
    const pageSize = sqlite.pragma('page_size', { simple: true }) as number
    const before = sqlite.pragma('wal_autocheckpoint', { simple: true }) as number
    sqlite.pragma('wal_autocheckpoint = 0')
    sqlite.pragma('wal_checkpoint(TRUNCATE)')
    const stride = Math.max(1, Math.floor(CLIPS / 5_000))
    const perDecision: number[][] = []
    let frame = 0
    for (let k = 0; k < DECISIONS; k++) {
      t.handlers['decision.record'](draft(`clip-${String(k * stride).padStart(6, '0')}`, k))
      const { pages, frames } = framePages(walFile, pageSize, frame)
      perDecision.push(pages)
      frame = frames
    }
    sqlite.pragma('wal_checkpoint(TRUNCATE)')
    sqlite.pragma(`wal_autocheckpoint = ${before}`)
    const owner = new Map<number, string>()
    for (const r of sqlite.prepare('SELECT name, pageno, pagetype FROM dbstat').all() as { name: string; pageno: number; pagetype: string }[]) {
      owner.set(r.pageno, `${r.name} (${r.pagetype})`)
    }
    const byOwner = new Map<string, number>()
    let total = 0
    for (const pages of perDecision) {
      for (const p of pages) {
        const name = p === 1 ? 'page 1 (database header)' : (owner.get(p) ?? `page ${p} (free or unknown)`)
        byOwner.set(name, (byOwner.get(name) ?? 0) + 1)
        total++
      }
    }
    const counts = perDecision.map((p) => p.length).sort((a, b) => a - b)
    console.log(`clips=${CLIPS}, ${DECISIONS} decisions: ${(total / DECISIONS).toFixed(2)} WAL frames per decision (min ${counts[0]}, median ${counts[counts.length >> 1]}, max ${counts[counts.length - 1]})`)
    console.log(`distinct pages per decision (a page written twice in one commit is one frame): ${(perDecision.reduce((s, p) => s + new Set(p).size, 0) / DECISIONS).toFixed(2)}`)
    for (const [name, n] of [...byOwner].sort((a, b) => b[1] - a[1])) console.log(`  ${(n / DECISIONS).toFixed(2).padStart(6)}  ${name}`)
    t.close()
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
