import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { makeClip, makeManifest, makePack, tempDir, writeManifest, writeMedia } from '../src/core/testing/make-pack'
import { zipDirectory } from '../src/core/testing/make-zip'
import { expect, test } from './fixtures'

/**
 * Importing field packs from the UI: a zip chosen in the page, a folder by its path, a zip
 * dropped on the window, a hostile zip refused with the rule it broke, and a large import
 * cancelled part-way, leaving the queue as it was.
 */

async function openImport(page: Page): Promise<void> {
  await page.getByTestId('open-import').click()
  await expect(page.getByTestId('import-dialog')).toBeVisible()
}

async function queueTotal(page: Page): Promise<number> {
  return Number(await page.getByTestId('queue-total').getAttribute('data-total'))
}

async function closeImport(page: Page): Promise<void> {
  await page.getByTestId('import-dialog-close').click()
  await expect(page.getByTestId('import-dialog')).toBeHidden()
}

test('a zip chosen in the page, then a folder by its path: both import, with a summary, and the queue shows them', async ({ tinjau }, testInfo) => {
  const { page } = tinjau
  test.skip(testInfo.project.name === 'electron', 'Electron picks packs with the OS dialog, which a test cannot drive; the typed path below covers it')
  await openImport(page)
  const zip = zipDirectory(makePack(6, { packId: 'pk-e2e-zip' }))
  await page.getByTestId('import-file').setInputFiles(zip)
  await expect(page.getByTestId('import-dialog').getByTestId('import-summary')).toHaveAttribute('data-pack-id', 'pk-e2e-zip')
  await expect(page.getByTestId('import-dialog').getByTestId('import-summary')).toHaveAttribute('data-added', '6')
  await closeImport(page)
  await expect.poll(() => queueTotal(page)).toBe(6)

  // A folder: its path, typed (the browser cannot hand the host a folder).
  const folder = makePack(3, { packId: 'pk-e2e-folder' })
  const manifest = JSON.parse(readFileSync(path.join(folder, 'pack.json'), 'utf8')) as { clips: { id: string }[] }
  manifest.clips.forEach((c, i) => (c.id = `folder-${i}`))
  writeManifest(folder, manifest)
  await openImport(page)
  await page.getByTestId('import-path').fill(folder)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('import-dialog').getByTestId('import-summary')).toHaveAttribute('data-pack-id', 'pk-e2e-folder')
  await closeImport(page)
  await expect.poll(() => queueTotal(page)).toBe(9)
})

test('a zip dropped on the window imports; a hostile zip is refused with the rule it broke and changes nothing', async ({ tinjau }, testInfo) => {
  const { page } = tinjau
  test.skip(testInfo.project.name === 'electron', 'a drop synthesised in the page carries no file path, which Electron needs')
  const drop = async (file: string, name: string) => {
    const bytes = [...readFileSync(file)]
    const dataTransfer = await page.evaluateHandle(
      ({ bytes, name }) => {
        const dt = new DataTransfer()
        dt.items.add(new File([new Uint8Array(bytes)], name, { type: 'application/zip' }))
        return dt
      },
      { bytes, name },
    )
    // A real drag fires dragover again and again while the pointer is over the window, so
    // repeat it until the overlay shows: the first may land before the workspace (loaded
    // after the boot shell) has put its listeners on the window.
    await expect(async () => {
      await page.dispatchEvent('body', 'dragover', { dataTransfer })
      await expect(page.getByTestId('drop-overlay')).toBeVisible({ timeout: 500 })
    }).toPass({ timeout: 15_000 })
    await page.dispatchEvent('body', 'drop', { dataTransfer })
  }

  await drop(zipDirectory(makePack(4, { packId: 'pk-e2e-drop' })), 'pk-e2e-drop.zip')
  await expect(page.getByTestId('import-dialog').getByTestId('import-summary')).toHaveAttribute('data-pack-id', 'pk-e2e-drop')
  await closeImport(page)
  await expect.poll(() => queueTotal(page)).toBe(4)

  // zip-slip: an entry that would land outside the folder it is extracted to.
  const hostile = zipDirectory(makePack(2, { packId: 'pk-e2e-slip' }), {
    change: (entries) => [...entries, { name: '../../escape.txt', data: Buffer.from('owned') }],
  })
  await drop(hostile, 'pk-e2e-slip.zip')
  const alert = page.getByTestId('import-dialog').getByTestId('error-alert')
  await expect(alert).toHaveAttribute('data-code', 'invalid_pack')
  await expect(alert).toContainText('zip entry "../../escape.txt" has a ".." segment')
  await closeImport(page)
  expect(await queueTotal(page)).toBe(4)
})

test('a large import shows its progress and can be cancelled; nothing of it is kept', async ({ tinjau }) => {
  const { page } = tinjau
  // Enough media that the import takes a while: 48 files of 4 MB.
  const root = tempDir('tinjau-e2e-big-')
  const media = Array.from({ length: 48 }, (_, i) => writeMedia(root, `media/big-${i}.webm`, randomBytes(4 * 1024 * 1024)))
  writeManifest(root, makeManifest(media.map((m, i) => makeClip(`big-${i}`, m)), { pack_id: 'pk-e2e-big' }))
  await openImport(page)
  await page.getByTestId('import-path').fill(root)
  await page.getByTestId('import-path-submit').click()
  await expect(page.getByTestId('import-progress')).toBeVisible()
  await page.getByTestId('import-cancel').click()
  const alert = page.getByTestId('import-dialog').getByTestId('error-alert')
  await expect(alert).toHaveAttribute('data-code', 'cancelled')
  await closeImport(page)
  expect(await queueTotal(page)).toBe(0)

  // The same pack, not cancelled this time, imports whole.
  await openImport(page)
  await page.getByTestId('import-path').fill(root)
  await page.getByTestId('import-path-submit').click()
  await expect(page.getByTestId('import-dialog').getByTestId('import-summary')).toHaveAttribute('data-added', '48', { timeout: 30_000 })
  await closeImport(page)
  await expect.poll(() => queueTotal(page)).toBe(48)
})
