import { execFile } from 'node:child_process'
import { rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Page } from '@playwright/test'
import { startTestServer, type TestServer } from '../src/server/testing/test-server'
import { expect, test } from './fixtures'
import { ensureTestProfileKey, TEST_PASSPHRASE } from '../src/core/testing/test-profile-key'

/**
 * Sync from the UI against the real sync service (src/server, on PGlite, in this process):
 * enroll with an operator's code, pull the assigned demo clips, decide, push; a second
 * reviewer (the CLI, on a profile of its own) decides the same clip differently, and the first
 * reviewer's sync dialog shows the adjudication. The server holds each decision once.
 */

const ROOT = path.resolve(__dirname, '..')
const run = promisify(execFile)

/** The built CLI (`tinjau`), run on its own profile; resolves with its stdout. */
async function tinjauCli(dataDir: string, ...args: string[]): Promise<string> {
  // An encrypted profile: the tests' passphrase, with a cheap scrypt cost recorded in its key file.
  await ensureTestProfileKey(dataDir)
  const env = { ...process.env, TINJAU_PASSPHRASE: TEST_PASSPHRASE }
  const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin', 'tinjau.js'), '--data-dir', dataDir, ...args], { cwd: ROOT, env })
  return stdout
}

async function closeSyncDialog(page: Page): Promise<void> {
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('sync-dialog')).toHaveCount(0)
}

/** Open the sync dialog, ask for a run, and wait until that run (not an earlier one) has succeeded. */
async function syncNow(page: Page): Promise<void> {
  await page.getByTestId('open-sync').click()
  const lastSuccess = page.getByTestId('sync-last-success')
  const before = await lastSuccess.getAttribute('data-at')
  await page.getByTestId('sync-run').click()
  await expect(lastSuccess).not.toHaveAttribute('data-at', before ?? '')
  await expect(page.getByTestId('sync-line')).toHaveAttribute('data-state', 'up_to_date')
}

test('enroll, pull assignments, decide and push; a disagreement shows as an adjudication', async ({ tinjau }) => {
  test.setTimeout(180_000)
  const { page } = tinjau
  let server: TestServer | null = null
  const otherDir = path.join(os.tmpdir(), `tinjau-e2e-other-${process.pid}-${Date.now()}`)
  try {
    server = await startTestServer()
    const { packId, clips } = await server.ops.loadPack(path.join(ROOT, 'resources', 'demo'))
    await server.ops.addReviewer('rina', 'Rina Lestari')
    await server.ops.addReviewer('budi', 'Budi Santoso')
    await server.ops.assign(packId, 'rina')
    await server.ops.assign(packId, 'budi')

    // Not enrolled yet: the header says so, and the dialog is the enrollment form.
    await expect(page.getByTestId('open-sync')).toHaveAttribute('data-state', 'not_enrolled')
    await page.getByTestId('open-sync').click()
    await page.getByTestId('sync-server-url').fill(server.url)
    await page.getByTestId('sync-code').fill('WRONG-CODE-00000')
    await page.getByTestId('sync-enroll').click()
    await expect(page.getByTestId('sync-dialog').getByRole('alert')).toBeVisible()
    await page.getByTestId('sync-code').fill(await server.ops.enrollmentCode('rina'))
    await page.getByTestId('sync-enroll').click()
    await expect(page.getByTestId('sync-server')).toHaveText(server.url)
    await page.getByTestId('sync-run').click()
    await expect(page.getByTestId('sync-line')).toHaveAttribute('data-state', 'up_to_date')
    await closeSyncDialog(page)
    await expect(page.getByTestId('count-pending')).toHaveAttribute('data-count', String(clips))

    // Decide the most urgent clip, then push it.
    // The pull's queue.changed may re-render the list under the click: click until the clip opens.
    const title = page.getByTestId('clip-title')
    await expect(async () => {
      await page.getByTestId('queue-row').first().click()
      await expect(title).toBeVisible({ timeout: 2_000 })
    }).toPass({ timeout: 20_000 })
    const clipId = (await title.getAttribute('data-clip-id'))!
    await page.getByTestId('category-violence.arson').click()
    await page.getByTestId('action-remove').click()
    await page.getByTestId('rationale').fill('Urges viewers to burn the market tonight.')
    await page.getByTestId('save-decision').click()
    await expect(page.getByTestId('saved-notice')).toHaveAttribute('data-clip-id', clipId)
    await syncNow(page)
    await expect(page.getByTestId('sync-pending')).toHaveText('0')
    const held = (await server.ops.decisions()).filter((d) => d.clip_id === clipId)
    expect(held).toHaveLength(1)
    expect(held[0]).toMatchObject({ reviewer_id: 'rina', action: 'remove', categories: ['violence.arson'] })
    await closeSyncDialog(page)
    await expect(page.getByTestId('count-synced')).toHaveAttribute('data-count', '1')

    // Another reviewer, on another device (the CLI, its own process and profile), allows the
    // same clip: the server keeps both decisions and opens an adjudication.
    const otherCode = await server.ops.enrollmentCode('budi')
    await tinjauCli(otherDir, 'enroll', server.url, otherCode)
    await tinjauCli(otherDir, 'sync')
    await tinjauCli(otherDir, 'decide', clipId, '--action', 'allow', '--category', 'ok.news')
    const pushed = JSON.parse(await tinjauCli(otherDir, 'sync', '--json')) as { pushed: { stored: number } }
    expect(pushed.pushed.stored).toBe(1)
    expect((await server.ops.adjudications()).map((a) => a.clip_id)).toEqual([clipId])

    await syncNow(page)
    const adjudications = page.getByTestId('sync-adjudications')
    await expect(adjudications).toContainText(clipId)
    await expect(adjudications).toContainText('budi chose allow (ok.news)')
    await closeSyncDialog(page)
    await expect(page.getByTestId('sync-attention')).toBeVisible()
    // Nothing was overwritten: both decisions are on the server, each once.
    expect((await server.ops.decisions()).filter((d) => d.clip_id === clipId).map((d) => d.reviewer_id).sort()).toEqual(['budi', 'rina'])
  } finally {
    await server?.stop()
    rmSync(otherDir, { recursive: true, force: true })
  }
})
