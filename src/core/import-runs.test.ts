import { copyFileSync, existsSync, mkdirSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import type { ImportProgress } from '../shared/domain'
import { TinjauError } from '../shared/errors'
import { makePack } from './testing/make-pack'
import { zipDirectory } from './testing/make-zip'
import { openTestTinjau } from './testing/open-test-tinjau'
import { snapshotFiles, snapshotRows } from './testing/store-snapshot'

const open: ReturnType<typeof openTestTinjau>[] = []
afterEach(() => {
  for (const t of open.splice(0)) t.close()
})

function profile() {
  const t = openTestTinjau()
  open.push(t)
  const events: ImportProgress[] = []
  t.onEvent((event, payload) => {
    if (event === 'pack.importProgress') events.push(payload as ImportProgress)
  })
  return { t, events }
}

describe('pack.import', () => {
  test('a folder and a zip both import, each with progress events tagged with its id and a last "done" event', async () => {
    const { t, events } = profile()
    const folder = makePack(5, { packId: 'pk-folder' })
    const zip = zipDirectory(makePack(4, { packId: 'pk-zip' }))
    const a = await t.handlers['pack.import']({ path: folder, importId: 'imp-folder' })
    const b = await t.handlers['pack.import']({ path: zip, importId: 'imp-zip' })
    // The same clip ids: the second pack's four are clips the first brought already.
    expect([a.added, b.clips, b.added]).toEqual([5, 4, 0])
    for (const [id, clips] of [
      ['imp-folder', 5],
      ['imp-zip', 4],
    ] as const) {
      const mine = events.filter((e) => e.importId === id)
      expect(mine[0]!.phase).toBe('reading')
      expect(mine.at(-1)).toMatchObject({ phase: 'done', clips: { done: clips, total: clips } })
      expect(mine.at(-1)!.files.done).toBeGreaterThan(0)
    }
    expect(t.handlers['app.info']({}).clipCount).toBe(5)
  })

  test('a refused pack ends with a "failed" event and the error; the same id can be used again afterwards', async () => {
    const { t, events } = profile()
    await expect(t.handlers['pack.import']({ path: path.join(makePack(1), 'nowhere'), importId: 'imp-1' })).rejects.toMatchObject({ code: 'invalid_pack' })
    expect(events.at(-1)).toMatchObject({ importId: 'imp-1', phase: 'failed' })
    await expect(t.handlers['pack.import']({ path: makePack(1), importId: 'imp-1' })).resolves.toMatchObject({ added: 1 })
  })

  test('cancel stops it, changes nothing, ends with a "cancelled" event; an unknown id is not cancelled', async () => {
    const { t, events } = profile()
    const zip = zipDirectory(makePack(300, { mediaCount: 40 }))
    const rows = snapshotRows(t.store.sqlite)
    const files = snapshotFiles(t.dataDir)
    const running = t.handlers['pack.import']({ path: zip, importId: 'imp-cancel' })
    // As soon as it has started, from outside, as the UI's button does.
    await new Promise((resolve) => setImmediate(resolve))
    expect(t.handlers['pack.cancelImport']({ importId: 'imp-cancel' })).toEqual({ cancelled: true })
    const err = await running.then(
      () => null,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(TinjauError)
    expect(err).toMatchObject({ code: 'cancelled', message: 'the import was cancelled; nothing was changed' })
    expect(events.at(-1)).toMatchObject({ importId: 'imp-cancel', phase: 'cancelled' })
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
    expect(snapshotFiles(t.dataDir)).toEqual(files)
    expect(t.handlers['pack.cancelImport']({ importId: 'imp-cancel' })).toEqual({ cancelled: false })
  })

  test('two imports may not share an id while the first runs', async () => {
    const { t } = profile()
    const first = t.handlers['pack.import']({ path: makePack(50), importId: 'imp-same' })
    await expect(t.handlers['pack.import']({ path: makePack(2), importId: 'imp-same' })).rejects.toMatchObject({ code: 'conflict' })
    await first
  })

  test("an upload (a file in the profile's uploads folder) is removed once imported; a pack anywhere else is left alone", async () => {
    const { t } = profile()
    const zip = zipDirectory(makePack(2, { packId: 'pk-up' }))
    mkdirSync(t.imports.uploadsDir, { recursive: true })
    const uploaded = t.imports.uploadPath('u1', 'pk.zip')
    copyFileSync(zip, uploaded)
    await t.handlers['pack.import']({ path: uploaded, importId: 'imp-up' })
    expect(existsSync(uploaded)).toBe(false)
    expect(existsSync(zip)).toBe(true)
  })
})
