/**
 * Hash list benchmark (docs/hash-list.md): what a large list costs a reviewer's machine.
 *
 *   npm run bench:hash-list
 *
 * 1. Makes a signed list of BENCH_LIST_ENTRIES entries (default 1,000) of
 *    BENCH_LIST_FRAMES frames each (default 100; a frame a second, four hashes a frame as
 *    Tinjau's hasher v2 gives): file size, and the time to write it.
 * 2. Imports it into a fresh profile through the contract method (read with every
 *    hostile-input check, signature, schema, then put in one transaction): wall time.
 * 3. Reads the stored entries back, then builds the lists' match index (ListMatcher): wall times.
 * 4. Matches BENCH_LIST_QUERIES clips (default 40) of 60 frames against it, half of them
 *    re-encoded copies of an entry (every hash 4–24 bits away), half new: p50/p95, and
 *    whether each copy found its entry and no new clip found any.
 *
 * Prints figures; never fails on timings. Wall times on a shared machine include waiting for a core.
 */
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { HASHER_ID } from '../src/shared/frame-hashes'
import { formatHash256, HASH256_WORDS } from '../src/shared/pdq/hash256'
import { copyWithFlips, fillRandomHashes, seededRandom } from '../src/core/hashes/synthetic'
import { ListMatcher } from '../src/core/hash-lists/list-matcher'
import { makeEntry, makeHashListDoc, makeIssuerKey, writeTestHashList } from '../src/core/hash-lists/testing/make-hash-list'
import { tempDir } from '../src/core/testing/make-pack'
import { openTestTinjau } from '../src/core/testing/open-test-tinjau'
import { statSync } from 'node:fs'
import { fmt } from './figures'

const ENTRIES = Number(process.env.BENCH_LIST_ENTRIES ?? 1_000)
const FRAMES = Number(process.env.BENCH_LIST_FRAMES ?? 100)
const QUERIES = Number(process.env.BENCH_LIST_QUERIES ?? 40)
const PER = 4

async function main() {
  const rand = seededRandom(2026)
  const key = makeIssuerKey()
  const videos: Uint32Array[] = []
  const entries = []
  for (let e = 0; e < ENTRIES; e++) {
    const h = new Uint32Array(FRAMES * PER * HASH256_WORDS)
    fillRandomHashes(h, 0, FRAMES * PER, rand)
    videos.push(h)
    const frames = Array.from({ length: FRAMES }, (_, i) => ({
      t_ms: i * 1000,
      hashes: Array.from({ length: PER }, (_, k) => ({ hash: formatHash256(h, (i * PER + k) * HASH256_WORDS), quality: 80 + ((i + k) % 20) })),
    }))
    entries.push(makeEntry(`e${e}`, { frames }))
  }
  const doc = makeHashListDoc(key, entries)
  let t0 = performance.now()
  const file = await writeTestHashList(doc, key, path.join(tempDir('tinjau-bench-list-'), 'list.zip'))
  const writeMs = performance.now() - t0
  console.log(`list: ${ENTRIES} entries × ${FRAMES} frames × ${PER} hashes = ${(ENTRIES * FRAMES).toLocaleString('en')} frames; file ${(statSync(file).size / 1e6).toFixed(1)} MB; written in ${writeMs.toFixed(0)} ms`)

  const t = openTestTinjau()
  try {
    t0 = performance.now()
    const r = await t.handlers['hashlist.import']({ path: file })
    console.log(`import (read, verify, schema, put): ${(performance.now() - t0).toFixed(0)} ms → ${r.outcome}, ${r.list.entries} entries, ${r.list.frames} frames`)

    t0 = performance.now()
    let stored = 0
    for (const e of t.hashLists.allEntries()) stored += e.timesMs.length
    console.log(`read the ${stored.toLocaleString('en')} stored frames back: ${(performance.now() - t0).toFixed(0)} ms`)

    const matcher = new ListMatcher(t.hashLists)
    t0 = performance.now()
    matcher.warm()
    console.log(`match index build: ${(performance.now() - t0).toFixed(0)} ms`)

    const times: number[] = []
    let found = 0
    let falseMatches = 0
    for (let q = 0; q < QUERIES; q++) {
      const copy = q % 2 === 0
      const source = videos[Math.floor(rand() * ENTRIES)]!
      const n = Math.min(60, FRAMES)
      const h = new Uint32Array(n * PER * HASH256_WORDS)
      if (copy) for (let k = 0; k < n * PER; k++) copyWithFlips(source, k, h, k, 4 + Math.floor(rand() * 21), rand)
      else fillRandomHashes(h, 0, n * PER, rand)
      const frames = { sha256: `q${q}`, hashesPerFrame: PER, hashes: h, qualities: new Uint8Array(n * PER).fill(90), timesMs: Uint32Array.from({ length: n }, (_, i) => i * 1000) }
      t0 = performance.now()
      const matches = matcher.match(frames)
      times.push(performance.now() - t0)
      const expected = `e${videos.indexOf(source)}`
      if (copy && matches.some((m) => m.entryId === expected)) found++
      if (!copy && matches.length > 0) falseMatches++
    }
    console.log(`match a 60-frame clip (${HASHER_ID} frames) against the list: ${fmt(times)}`)
    console.log(`copies that found their entry: ${found} of ${Math.ceil(QUERIES / 2)}; new clips that matched anything: ${falseMatches} of ${Math.floor(QUERIES / 2)}`)
  } finally {
    t.close()
  }
}

void main()
