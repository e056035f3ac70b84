/**
 * Packs in and out benchmark (issue 4).
 *
 *   npx tsx bench/packs.bench.ts          (or: npm run bench:packs)
 *
 * 1. A 1 GB media pack (random bytes, as incompressible as real video), imported as a folder
 *    and as a zip (media stored, as packers store video), each into a fresh profile, against
 *    `sha256sum` plus `cp` of the same files, run in the same process tree just before.
 * 2. The 100,000-clip metadata pack (the store benchmark's shape: the demo pack's clips under
 *    new ids) as a deflated zip, imported into a fresh profile.
 * 3. 100,000 decisions exported as a decision pack and as DSA statement files.
 *
 * Prints figures and whether each target is met; never fails on timings (machines are
 * noisy). Everything lives under os.tmpdir() and is removed at the end (BENCH_KEEP=1 keeps
 * it). Optional environment: BENCH_MEDIA_MB (1024), BENCH_MEDIA_FILES (64), BENCH_CLIPS
 * (100000), BENCH_DECISIONS (100000), BENCH_SECTIONS (e.g. "1,3").
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, createWriteStream, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { finished } from 'node:stream/promises'
import yazl from 'yazl'
import { verifyDecisionPack } from '../src/core/export'
import { openTinjau, type Tinjau } from '../src/core/tinjau'
import { DecisionDraft } from '../src/shared/policy'
import { sha256, tempDir } from '../src/core/testing/make-pack'

const ROOT = path.resolve(__dirname, '..')
const RESOURCES = path.join(ROOT, 'resources')
const MEDIA_MB = Number(process.env.BENCH_MEDIA_MB ?? 1024)
const MEDIA_FILES = Number(process.env.BENCH_MEDIA_FILES ?? 64)
const CLIPS = Number(process.env.BENCH_CLIPS ?? 100_000)
const DECISIONS = Math.min(Number(process.env.BENCH_DECISIONS ?? 100_000), CLIPS)
const SECTIONS = new Set((process.env.BENCH_SECTIONS ?? '1,2,3').split(',').map((s) => s.trim()))

const TARGET_MEDIA_RATIO = 1.5
const TARGET_METADATA_ZIP_MS = 8_000
const TARGET_EXPORT_MS = 5_000

const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED')
const ms = (n: number) => `${n.toFixed(0)} ms`
const mbps = (bytes: number, millis: number) => `${(bytes / 1024 / 1024 / (millis / 1000)).toFixed(0)} MB/s`

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = performance.now()
  const value = fn()
  return { value, ms: performance.now() - t0 }
}

async function timedAsync<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now()
  const value = await fn()
  return { value, ms: performance.now() - t0 }
}

function freshProfile(scratch: string, name: string): Tinjau & { dataDir: string } {
  const dataDir = path.join(scratch, name)
  return Object.assign(openTinjau({ dataDir, resourcesDir: RESOURCES, host: 'cli', version: 'bench' }), { dataDir })
}

/** A zip of `dir`: pack.json deflated, everything else stored (video does not compress). */
async function zipDirectory(dir: string, zipPath: string): Promise<void> {
  const zip = new yazl.ZipFile()
  const walk = (rel: string) => {
    for (const entry of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name
      if (entry.isDirectory()) walk(child)
      else zip.addFile(path.join(dir, child), child, { compress: child === 'pack.json' || child === 'pack.sig' })
    }
  }
  walk('')
  zip.end()
  const out = createWriteStream(zipPath)
  zip.outputStream.pipe(out)
  await finished(out)
}

/** `n` clips over the demo pack's clip shapes, pointing at `media` in turn. */
function clipsOver(n: number, media: { path: string; sha256: string; bytes: number; mime: string }[]): unknown[] {
  const demo = JSON.parse(readFileSync(path.join(RESOURCES, 'demo', 'pack.json'), 'utf8')) as { clips: Record<string, unknown>[] }
  return Array.from({ length: n }, (_, i) => {
    const base = demo.clips[i % demo.clips.length]!
    const m = media[i % media.length]!
    return { ...base, id: `bench-${String(i).padStart(6, '0')}`, media: { ...(base.media as object), ...m }, poster: undefined }
  })
}

function writePackJson(dir: string, packId: string, clips: unknown[]): void {
  const demo = JSON.parse(readFileSync(path.join(RESOURCES, 'demo', 'pack.json'), 'utf8')) as Record<string, unknown>
  writeFileSync(path.join(dir, 'pack.json'), JSON.stringify({ ...demo, pack_id: packId, clips }))
}

// ---------------------------------------------------------------- 1. media pack

async function mediaSection(scratch: string): Promise<void> {
  const dir = path.join(scratch, 'media-pack')
  mkdirSync(path.join(dir, 'media'), { recursive: true })
  const fileBytes = Math.floor((MEDIA_MB * 1024 * 1024) / MEDIA_FILES)
  const media: { path: string; sha256: string; bytes: number; mime: string }[] = []
  for (let i = 0; i < MEDIA_FILES; i++) {
    const rel = `media/clip-${String(i).padStart(3, '0')}.webm`
    const bytes = randomBytes(fileBytes)
    writeFileSync(path.join(dir, rel), bytes)
    media.push({ path: rel, sha256: sha256(bytes), bytes: fileBytes, mime: 'video/webm' })
  }
  writePackJson(dir, 'pk-bench-media', clipsOver(MEDIA_FILES, media))
  const zipPath = path.join(scratch, 'media-pack.zip')
  await zipDirectory(dir, zipPath)
  const total = MEDIA_FILES * fileBytes
  console.log(`\n1. media pack: ${MEDIA_FILES} files, ${(total / 1024 / 1024).toFixed(0)} MB (zip ${(statSync(zipPath).size / 1024 / 1024).toFixed(0)} MB, media stored)`)

  // The baseline: hash every file, then copy every file, as two tools would.
  const files = media.map((m) => path.join(dir, m.path))
  execFileSync('sync')
  const hash = timed(() => execFileSync('sha256sum', files, { maxBuffer: 16 * 1024 * 1024 }))
  const copyDir = path.join(scratch, 'cp-copy')
  mkdirSync(copyDir)
  const copy = timed(() => execFileSync('cp', [...files, copyDir]))
  rmSync(copyDir, { recursive: true, force: true })
  const baseline = hash.ms + copy.ms
  console.log(`   baseline: sha256sum ${ms(hash.ms)} + cp ${ms(copy.ms)} = ${ms(baseline)} (${mbps(total, baseline)})`)

  for (const [label, source] of [
    ['folder', dir],
    ['zip', zipPath],
  ] as const) {
    const t = freshProfile(scratch, `profile-media-${label}`)
    execFileSync('sync')
    try {
      const run = await timedAsync(() => t.handlers['pack.import']({ path: source, importId: `bench-${label}` }))
      const ratio = run.ms / baseline
      console.log(
        `   import as a ${label}: ${ms(run.ms)} (${mbps(total, run.ms)}), ${run.value.mediaAdded} media files added; ` +
          `${ratio.toFixed(2)}× the baseline  (target ≤ ${TARGET_MEDIA_RATIO}×: ${verdict(ratio <= TARGET_MEDIA_RATIO)})`,
      )
    } finally {
      t.close()
      rmSync(t.dataDir, { recursive: true, force: true })
    }
  }
  rmSync(dir, { recursive: true, force: true })
  rmSync(zipPath, { force: true })
}

// ---------------------------------------------------------------- 2. metadata pack as a zip

async function metadataSection(scratch: string, keep: boolean): Promise<string> {
  const dir = path.join(scratch, 'meta-pack')
  mkdirSync(dir)
  const demoDir = path.join(RESOURCES, 'demo')
  cpSync(path.join(demoDir, 'media'), path.join(dir, 'media'), { recursive: true })
  const demo = JSON.parse(readFileSync(path.join(demoDir, 'pack.json'), 'utf8')) as { clips: Record<string, unknown>[] }
  const clips = Array.from({ length: CLIPS }, (_, i) => ({ ...demo.clips[i % demo.clips.length], id: `bench-${String(i).padStart(6, '0')}` }))
  writePackJson(dir, 'pk-bench-meta', clips)
  const zipPath = path.join(scratch, 'meta-pack.zip')
  await zipDirectory(dir, zipPath)
  console.log(
    `\n2. metadata pack: ${CLIPS} clips, pack.json ${(statSync(path.join(dir, 'pack.json')).size / 1024 / 1024).toFixed(0)} MB, zip ${(statSync(zipPath).size / 1024 / 1024).toFixed(1)} MB (deflated)`,
  )
  // For reference (no target): the same pack as a folder.
  const folder = freshProfile(scratch, 'profile-meta-folder')
  try {
    execFileSync('sync')
    const run = await timedAsync(() => folder.handlers['pack.import']({ path: dir, importId: 'bench-meta-folder' }))
    console.log(`   import from the folder (for comparison): ${ms(run.ms)}`)
  } finally {
    folder.close()
    rmSync(folder.dataDir, { recursive: true, force: true })
  }
  const t = freshProfile(scratch, 'profile-meta')
  try {
    execFileSync('sync')
    const run = await timedAsync(() => t.handlers['pack.import']({ path: zipPath, importId: 'bench-meta' }))
    console.log(`   import from the zip: ${ms(run.ms)}, ${run.value.added} clips added  (target < ${TARGET_METADATA_ZIP_MS} ms: ${verdict(run.ms < TARGET_METADATA_ZIP_MS)})`)
  } finally {
    t.close()
    if (!keep) rmSync(t.dataDir, { recursive: true, force: true })
  }
  rmSync(zipPath, { force: true })
  rmSync(dir, { recursive: true, force: true })
  return t.dataDir
}

// ---------------------------------------------------------------- 3. exports

/** Restrictive and not, over violation and no-violation categories, as a shift would mix them. */
const DRAFTS = [
  { categories: ['violence.arson'], action: 'remove' },
  { categories: ['public_safety.provocation'], action: 'limit' },
  { categories: ['hate'], action: 'age_restrict' },
  { categories: ['commerce.fraud'], action: 'suspend_account' },
  { categories: ['ok.commerce'], action: 'allow' },
  { categories: ['ok.news'], action: 'label' },
  { categories: ['violence.incitement'], action: 'end_live' },
] as const

async function exportSection(scratch: string, dataDir: string | null): Promise<void> {
  if (!dataDir) dataDir = await metadataSection(scratch, true)
  const t = Object.assign(openTinjau({ dataDir, resourcesDir: RESOURCES, host: 'cli', version: 'bench' }), { dataDir })
  try {
    const ids = t.store.sqlite.prepare('SELECT id FROM clips ORDER BY id LIMIT ?').pluck().all(DECISIONS) as string[]
    // Setup, not timed as a figure: one transaction, no fsync per decision.
    const setup = timed(() => {
      t.store.sqlite.pragma('synchronous = OFF')
      t.store.sqlite.transaction(() => {
        ids.forEach((clipId, i) => {
          const d = DRAFTS[i % DRAFTS.length]!
          t.decisions.record(
            DecisionDraft.parse({
              clipId,
              categories: [...d.categories],
              action: d.action,
              rationale: d.action === 'allow' ? '' : `Seen at 00:${String(i % 60).padStart(2, '0')}: "bakar", with a crowd gathering, per policy.`,
              ranges: i % 3 === 0 ? [{ startMs: 1000, endMs: 4000, label: 'call to burn', note: '' }] : [],
            }),
          )
        })
      })()
      t.store.sqlite.pragma('synchronous = FULL')
    })
    console.log(`\n3. exports of ${ids.length} decisions (recorded in ${ms(setup.ms)} as setup)`)

    const packFile = path.join(scratch, 'decisions.zip')
    const pack = await timedAsync(() => t.handlers['export.decisions']({ format: 'pack', out: packFile, overwrite: false }))
    console.log(
      `   decision pack: ${ms(pack.ms)}, ${pack.value.count} decisions, ${(statSync(packFile).size / 1024 / 1024).toFixed(1)} MB  (target < ${TARGET_EXPORT_MS} ms: ${verdict(pack.ms < TARGET_EXPORT_MS)})`,
    )
    const verify = await timedAsync(() => verifyDecisionPack(packFile))
    console.log(`   (tinjau verify of it: ${verify.value.ok ? 'ok' : 'FAILED'} in ${ms(verify.ms)})`)
    const dsa = await timedAsync(() => t.handlers['export.decisions']({ format: 'dsa', out: path.join(scratch, 'dsa'), overwrite: false }))
    console.log(
      `   DSA statements: ${ms(dsa.ms)}, ${dsa.value.count} statements in ${dsa.value.paths.length} files  (target < ${TARGET_EXPORT_MS} ms: ${verdict(dsa.ms < TARGET_EXPORT_MS)})`,
    )
    const csv = await timedAsync(() => t.handlers['export.decisions']({ format: 'csv', out: path.join(scratch, 'decisions.csv'), overwrite: false }))
    console.log(`   CSV (no target): ${ms(csv.ms)}, ${csv.value.count} rows`)
  } finally {
    t.close()
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  const scratch = tempDir('tinjau-packs-bench-')
  try {
    if (SECTIONS.has('1')) await mediaSection(scratch)
    const profile = SECTIONS.has('2') ? await metadataSection(scratch, SECTIONS.has('3')) : null
    if (SECTIONS.has('3')) await exportSection(scratch, profile)
  } finally {
    if (process.env.BENCH_KEEP === '1') console.log(`kept ${scratch}`)
    else rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
