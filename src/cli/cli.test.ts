import { readdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { makeClip, makeManifest, makePack, tempDir, writeManifest, writeMedia } from '../core/testing/make-pack'
import { runTinjau, scriptedTerminal, storeRows, tinjau } from './testing/run-tinjau'

let dataDir: string
let packDir: string
const made: string[] = []
/** A temp folder removed after the test. */
const scratch = (prefix: string) => {
  const dir = tempDir(prefix)
  made.push(dir)
  return dir
}
beforeEach(() => {
  dataDir = path.join(scratch('tinjau-cli-'), 'profile')
  packDir = makePack(3, { root: scratch('tinjau-pack-') })
})
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const CLIP = 'clip-000000'
const decideArgs = [CLIP, '--action', 'remove', '--category', 'violence.arson', '--rationale', 'sets a shop on fire']

async function imported() {
  const r = await tinjau(dataDir, 'import', packDir)
  expect(r.code, r.stderr).toBe(0)
  return r
}

describe('tinjau import / queue', () => {
  it('imports a pack and lists it as JSON', async () => {
    const r = await imported()
    expect(r.stdout).toMatch(/^Imported pack pk-test-01: 3 clips \(3 added, 0 updated, 0 unchanged\), 1 media files added/)
    const q = await tinjau(dataDir, 'queue', '--json')
    expect(q.code).toBe(0)
    const page = JSON.parse(q.stdout)
    expect(page.total).toBe(3)
    expect(page.items.map((i: { id: string }) => i.id).sort()).toEqual(['clip-000000', 'clip-000001', 'clip-000002'])
    expect(page.counts.pending).toBe(3)
  })

  it('prints the summary as JSON with --json, and says when a pack was already imported', async () => {
    const first = await tinjau(dataDir, 'import', packDir, '--json')
    expect(JSON.parse(first.stdout)).toMatchObject({ packId: 'pk-test-01', added: 3, alreadyImported: false })
    const again = await tinjau(dataDir, 'import', packDir)
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/already imported; nothing changed/)
  })

  it('prints a table by default and filters by status with paging', async () => {
    await imported()
    const table = await tinjau(dataDir, 'queue')
    expect(table.code).toBe(0)
    expect(table.stdout.split('\n')[0]).toMatch(/^CLIP\s+STATUS\s+PRIORITY\s+DUE\s+COPIES\s+FLAGS\s+STREAM$/)
    expect(table.stdout).toContain(CLIP)
    expect(table.stdout).toMatch(/Clips 1-3 of 3 \(pending 3, decided 0/)

    expect((await tinjau(dataDir, 'decide', ...decideArgs)).code).toBe(0)
    const decided = JSON.parse((await tinjau(dataDir, 'queue', '--status', 'decided', '--json')).stdout)
    expect(decided.items.map((i: { id: string }) => i.id)).toEqual([CLIP])
    const paged = JSON.parse((await tinjau(dataDir, 'queue', '--status', 'pending', 'decided', '--limit', '1', '--offset', '1', '--json')).stdout)
    expect(paged.items).toHaveLength(1)
    expect(paged.total).toBe(3)
  })

  it('refuses an invalid pack with 2, the reason, and an unchanged store', async () => {
    await imported()
    const bad = scratch('tinjau-badpack-')
    const media = writeMedia(bad, 'media/a.webm', Buffer.from('some bytes'))
    writeManifest(bad, makeManifest([makeClip('bad-1', { ...media, sha256: 'f'.repeat(64) })], { pack_id: 'pk-bad' }))
    const before = readdirSync(path.join(dataDir, 'media'), { recursive: true }).length

    const r = await tinjau(dataDir, 'import', bad)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^tinjau: clips\[0\] \(id "bad-1"\) media\.sha256: the file's sha256 is/)
    expect(r.stdout).toBe('')
    const page = JSON.parse((await tinjau(dataDir, 'queue', '--json')).stdout)
    expect(page.total).toBe(3)
    expect(page.items.map((i: { id: string }) => i.id)).not.toContain('bad-1')
    expect(readdirSync(path.join(dataDir, 'media'), { recursive: true }).length).toBe(before)
  })

  it('refuses a folder that is not a pack with 2', async () => {
    const notAPack = scratch('tinjau-empty-')
    writeFileSync(path.join(notAPack, 'pack.json'), '{ not json')
    const r = await tinjau(dataDir, 'import', notAPack)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^tinjau: /)
  })
})

describe('tinjau decide / decisions', () => {
  it('records a decision and lists it', async () => {
    await imported()
    const r = await tinjau(dataDir, 'decide', ...decideArgs, '--range', '1000-2500:fire', '12s-13.5s')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^Recorded decision [0-9a-f-]{36} on clip ${CLIP}: remove \\(violence\\.arson\\)\\.\\n$`))

    const list = await tinjau(dataDir, 'decisions', '--json')
    expect(list.code).toBe(0)
    const { items, total } = JSON.parse(list.stdout)
    expect(total).toBe(1)
    expect(items[0]).toMatchObject({
      clipId: CLIP,
      action: 'remove',
      categories: ['violence.arson'],
      rationale: 'sets a shop on fire',
      ranges: [
        { startMs: 1000, endMs: 2500, label: 'fire', note: '' },
        { startMs: 12000, endMs: 13500, label: '', note: '' },
      ],
      revisesId: null,
    })
    const table = await tinjau(dataDir, 'decisions', '--clip', CLIP)
    expect(table.stdout).toContain(items[0].id)
    expect(table.stdout).toMatch(/1 of 1 decisions/)
    expect(JSON.parse((await tinjau(dataDir, 'decisions', '--clip', 'clip-000001', '--json')).stdout).total).toBe(0)
  })

  it('refuses an unknown category with 2 and the policy reason', async () => {
    await imported()
    const r = await tinjau(dataDir, 'decide', CLIP, '--action', 'remove', '--category', 'not.a.category', '--rationale', 'x')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^tinjau: the decision breaks policy live-safety/)
    expect(r.stderr).toContain('  categories: category "not.a.category" is not in the policy')
    expect(r.stdout).toBe('')
  })

  it('refuses a missing rationale with 2', async () => {
    await imported()
    const r = await tinjau(dataDir, 'decide', CLIP, '--action', 'remove', '--category', 'violence.arson')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('  rationale: a rationale is required for action "remove"')
    expect(JSON.parse((await tinjau(dataDir, 'decisions', '--json')).stdout).total).toBe(0)
  })

  it('refuses an unknown clip with 2', async () => {
    await imported()
    const r = await tinjau(dataDir, 'decide', 'no-such-clip', '--action', 'allow', '--category', 'ok.news')
    expect(r.code).toBe(2)
    expect(r.stderr).toBe('tinjau: no clip with id "no-such-clip"\n  clipId: unknown clip\n')
  })

  it('refuses input the contract refuses, with the field', async () => {
    await imported()
    const r = await tinjau(dataDir, 'decide', CLIP, ...decideArgs.slice(1), '--revises', 'not-a-uuid')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^tinjau: invalid input for decision\.record: revisesId/)
    const range = await tinjau(dataDir, 'decide', ...decideArgs, '--range', 'soon')
    expect(range.code).toBe(2)
    expect(range.stderr).toMatch(/^tinjau: --range "soon": expected <start>-<end>\[:label\]/)
    const limit = await tinjau(dataDir, 'queue', '--limit', 'ten')
    expect(limit.code).toBe(2)
    expect(limit.stderr).toBe('tinjau: --limit: "ten" is not a whole number\n')
  })

  it('asks for --revises when the clip already has a decision, and revises with it', async () => {
    await imported()
    const first = JSON.parse((await tinjau(dataDir, 'decide', ...decideArgs, '--json')).stdout)
    const again = await tinjau(dataDir, 'decide', ...decideArgs)
    expect(again.code).toBe(2)
    expect(again.stderr).toContain(`already has decision ${first.id}; a new decision must revise it`)
    expect(again.stderr).toContain(`--revises ${first.id}`)

    const revised = await tinjau(dataDir, 'decide', CLIP, '--action', 'escalate', '--category', 'violence.arson', '--rationale', 'unsure',
      '--escalation-target', 'senior_review', '--revises', first.id)
    expect(revised.code, revised.stderr).toBe(0)
    expect(revised.stdout).toContain(`revising ${first.id}`)
    const queue = JSON.parse((await tinjau(dataDir, 'queue', '--status', 'escalated', '--json')).stdout)
    expect(queue.items.map((i: { id: string }) => i.id)).toEqual([CLIP])
  })

  it('keeps data across runs on the same --data-dir', async () => {
    await imported()
    expect((await tinjau(dataDir, 'decide', ...decideArgs)).code).toBe(0)
    const other = path.join(scratch('tinjau-cli-'), 'other')
    expect(JSON.parse((await tinjau(other, 'queue', '--json')).stdout).total).toBe(0)
    const list = JSON.parse((await tinjau(dataDir, 'decisions', '--json')).stdout)
    expect(list.items.map((d: { clipId: string }) => d.clipId)).toEqual([CLIP])
  })
})

describe('tinjau skip', () => {
  const skipped = async () => (JSON.parse((await tinjau(dataDir, 'queue', '--status', 'skipped', '--json')).stdout) as { items: { id: string }[] }).items
  const lastAudit = () => storeRows(dataDir)['audit_log']!.at(-1) as { kind: string; subject: string; payload: string }

  it('sets a clip aside with its reason: the queue shows it skipped, the audit trail keeps why', async () => {
    await imported()
    const r = await tinjau(dataDir, 'skip', CLIP, '--reason', 'needs the  whole stream\nfor context')
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(`Skipped clip ${CLIP}: needs the whole stream for context\n`)
    expect(r.stderr).toBe('')
    expect((await skipped()).map((i) => i.id)).toEqual([CLIP])
    const page = JSON.parse((await tinjau(dataDir, 'queue', '--json')).stdout)
    expect(page.counts).toMatchObject({ pending: 2, skipped: 1 })
    expect(page.items.find((i: { id: string }) => i.id === CLIP).status).toBe('skipped')
    expect(lastAudit()).toMatchObject({ kind: 'clip.skipped', subject: CLIP })
    expect(JSON.parse(lastAudit().payload)).toEqual({ reason: 'needs the  whole stream\nfor context', previousStatus: 'pending' })
    expect((await tinjau(dataDir, 'audit', 'verify')).code).toBe(0)
  })

  it('prints the skip as JSON, and records a new reason on a clip skipped already (core/skips.ts allows it)', async () => {
    await imported()
    const first = await tinjau(dataDir, 'skip', CLIP, '--reason', 'conflict of interest', '--json')
    expect(first.code, first.stderr).toBe(0)
    expect(JSON.parse(first.stdout)).toMatchObject({ clipId: CLIP, reason: 'conflict of interest', previousStatus: 'pending' })
    const again = await tinjau(dataDir, 'skip', CLIP, '--reason', 'still unsure')
    expect(again.code, again.stderr).toBe(0)
    expect(again.stdout).toBe(`Skipped clip ${CLIP} again (new reason recorded): still unsure\n`)
    expect(JSON.parse(lastAudit().payload)).toEqual({ reason: 'still unsure', previousStatus: 'skipped' })
    expect((await skipped()).map((i) => i.id)).toEqual([CLIP])
  })

  it('refuses a decided clip, an unknown clip and an empty, blank or too long reason with 2, changing nothing', async () => {
    await imported()
    expect((await tinjau(dataDir, 'decide', ...decideArgs)).code).toBe(0)
    const before = storeRows(dataDir)

    const decided = await tinjau(dataDir, 'skip', CLIP, '--reason', 'changed my mind')
    expect(decided.code).toBe(2)
    expect(decided.stderr).toBe(`tinjau: clip "${CLIP}" is decided: only a clip without a decision can be skipped\n  clipId: clip is decided\n`)
    const unknown = await tinjau(dataDir, 'skip', 'no-such-clip', '--reason', 'x')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toBe('tinjau: no clip with id "no-such-clip"\n  clipId: unknown clip\n')
    for (const reason of ['', '   ', 'x'.repeat(501)]) {
      const r = await tinjau(dataDir, 'skip', 'clip-000001', '--reason', reason)
      expect(r.code, reason).toBe(2)
      expect(r.stderr).toMatch(/^tinjau: invalid input for clip\.skip: reason: /)
      expect(r.stdout).toBe('')
    }
    expect(storeRows(dataDir)).toEqual(before)
    expect(await skipped()).toEqual([])
  })

  it('needs --reason and a clip (usage, 1); a skipped clip can still be decided', async () => {
    await imported()
    const noReason = await tinjau(dataDir, 'skip', CLIP)
    expect(noReason.code).toBe(1)
    expect(noReason.stderr).toMatch(/required option '--reason <text>' not specified/)
    expect((await tinjau(dataDir, 'skip', '--reason', 'why')).code).toBe(1)
    expect((await tinjau(dataDir, 'skip', CLIP, '--reason', 'later')).code).toBe(0)
    expect((await tinjau(dataDir, 'decide', ...decideArgs)).code).toBe(0)
    expect(await skipped()).toEqual([])
  })
})

describe('tinjau audit verify', () => {
  it('exits 0 on an intact trail', async () => {
    await imported()
    expect((await tinjau(dataDir, 'decide', ...decideArgs)).code).toBe(0)
    const r = await tinjau(dataDir, 'audit', 'verify')
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^Audit trail intact: \d+ entries\.\n$/)
    const json = await tinjau(dataDir, 'audit', 'verify', '--json')
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, brokenAt: null })
  })
})

describe('usage errors exit 1', () => {
  it('on an unknown option', async () => {
    const r = await tinjau(dataDir, 'queue', '--colour')
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/^tinjau: unknown option '--colour'/)
  })

  it('on a missing argument or required option', async () => {
    const noClip = await tinjau(dataDir, 'decide', '--action', 'allow', '--category', 'ok.news')
    expect(noClip.code).toBe(1)
    expect(noClip.stderr).toMatch(/missing required argument 'clip'/)
    const noAction = await tinjau(dataDir, 'decide', CLIP, '--category', 'ok.news')
    expect(noAction.code).toBe(1)
    expect(noAction.stderr).toMatch(/required option '--action <action>' not specified/)
    expect((await tinjau(dataDir, 'import')).code).toBe(1)
  })

  it('on an unknown command or status, or no command at all', async () => {
    expect((await tinjau(dataDir, 'frobnicate')).code).toBe(1)
    expect((await tinjau(dataDir, 'queue', '--status', 'done')).code).toBe(1)
    expect((await tinjau(dataDir)).code).toBe(1)
  })

  it('but --help and --version exit 0', async () => {
    const help = await tinjau(dataDir, '--help')
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Exit codes:')
    const version = await tinjau(dataDir, '--version')
    expect(version.code).toBe(0)
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/)
  })

  it('never touch the data folder, nor ask for a passphrase', async () => {
    const terminal = scriptedTerminal([])
    for (const args of [['decide'], ['--help'], ['queue', '--status', 'done']]) await runTinjau(['--data-dir', dataDir, ...args], { ask: terminal.ask })
    expect(() => readdirSync(dataDir)).toThrow()
    expect(terminal.asked).toEqual([])
  })
})
