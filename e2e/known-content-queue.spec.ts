import type { Page } from '@playwright/test'
import { makeClip, makeManifest, tempDir, writeManifest } from '../src/core/testing/make-pack'
import { api, axeViolations, hashingDone, mirrorVideo } from './app-page'
import { expect, test } from './fixtures'

/**
 * Known footage in the queue and the console (issue 14), end to end in the browser: the
 * demo is hashed by Chromium, demo-007 is decided in a protected category (arson), a pack
 * with a mirror of it arrives. The queue's "has a match" filter lists the mirror, copies are
 * listed together, the mirror opens protected and is decided without watching, and the
 * Matching settings dialog changes a threshold. axe-core audits each new screen.
 */

/** A pack with one clip: demo-007's video re-encoded at a low bitrate, flagged for nothing protected. */
function mirrorPack(): string {
  const root = tempDir('tinjau-mirror-q-')
  const media = mirrorVideo(root, 'demo-007', 'mirror-007.webm')
  writeManifest(
    root,
    makeManifest(
      [
        makeClip('mirror-007', media, {
          segment: { start_ms: 0, end_ms: 7541 },
          flags: [{ source: 'user_report', label: 'public_safety.provocation', count: 3 }],
          transcript: [{ at_ms: 1_000, end_ms: 3_000, text: 'ayo kumpul' }],
          chat: [{ at_ms: 2_500, author: 'user123', text: 'ayo' }],
          stream: { id: 'live-mirror-q', title: 'Re-upload: aksi damai', started_at: '2025-08-29T12:40:00+07:00', region: 'ID-JK', language: 'id', commerce: false, viewer_peak: 40 },
        }),
      ],
      { pack_id: 'pk-mirror-q' },
    ),
  )
  return root
}

const rows = (page: Page) => page.locator('[data-testid="queue-row"]')
const row = (page: Page, id: string) => page.locator(`[data-testid="queue-row"][data-clip-id="${id}"]`)
const position = async (page: Page, id: string) => Number(await row(page, id).getAttribute('aria-posinset'))

test('the queue finds and gathers the copies of decided footage; a copy of a protected decision opens protected; matching settings change', async ({ tinjau }) => {
  test.setTimeout(300_000)
  const { page } = tinjau
  await page.getByTestId('load-demo').click()
  await expect(page.getByTestId('import-summary')).toBeVisible()
  await hashingDone(page)

  await row(page, 'demo-007').click()
  await expect(page.getByTestId('clip-title')).toHaveAttribute('data-clip-id', 'demo-007')
  await page.getByTestId('category-violence.arson').click()
  await page.getByTestId('action-remove').click()
  await page.getByTestId('rationale').fill('Crowd sets a car on fire.')
  await page.keyboard.press('Control+Enter')
  await expect(page.getByTestId('saved-notice')).toHaveAttribute('data-clip-id', 'demo-007')

  await page.getByTestId('open-import').click()
  await page.getByTestId('import-path').fill(mirrorPack())
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('import-dialog').getByTestId('import-summary')).toHaveAttribute('data-pack-id', 'pk-mirror-q')
  await page.getByTestId('import-dialog-close').click()
  await hashingDone(page)

  // "Has a match": the mirror and its original, and the demo's Re-live pair (the same file).
  await page.getByTestId('queue-filters-toggle').click()
  await page.getByTestId('queue-filter-known').selectOption('match')
  await expect
    .poll(async () => (await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-clip-id')))).sort(), { timeout: 60_000 })
    .toEqual(['demo-007', 'demo-008', 'demo-015', 'mirror-007'])
  // "Matches a decided clip": only the mirror (its original is the decided one).
  await page.getByTestId('queue-filter-known').selectOption('decided')
  await expect(rows(page)).toHaveCount(1)
  await expect(row(page, 'mirror-007')).toBeVisible()
  expect(await axeViolations(page, '.queue-panel')).toEqual([])

  // Copies together: back to every clip, the mirror right after (or before) its original, both marked.
  await page.getByTestId('queue-filter-known').selectOption('any')
  await page.getByTestId('queue-group-copies').check()
  await expect(row(page, 'mirror-007').getByTestId('copies-badge')).toHaveAttribute('data-count', '2')
  await expect(row(page, 'demo-007').getByTestId('copies-badge')).toHaveAttribute('data-group', 'demo-007')
  expect(Math.abs((await position(page, 'mirror-007')) - (await position(page, 'demo-007')))).toBe(1)
  expect(Math.abs((await position(page, 'demo-008')) - (await position(page, 'demo-015')))).toBe(1)
  expect(await axeViolations(page, '.queue-panel')).toEqual([])

  // The mirror's own flag is not protected, but what its match decided is: it opens protected.
  await row(page, 'mirror-007').click()
  await expect(page.getByTestId('clip-title')).toHaveAttribute('data-clip-id', 'mirror-007')
  await expect(page.getByTestId('known-content')).toHaveAttribute('data-match-clip-id', 'demo-007')
  await expect(page.getByTestId('clip-wellness')).toHaveClass(/wellness-blur/)
  expect(await page.getByTestId('clip-video').evaluate((v: HTMLVideoElement) => v.currentTime)).toBe(0)
  expect(await axeViolations(page, '[data-testid="known-content"]')).toEqual([])
  // Decided without watching: the form filled from the match, the reviewer taken to it.
  await page.getByTestId('decide-unwatched').press('Enter')
  await expect(page.getByTestId('rationale')).toBeFocused()
  await expect(page.getByTestId('rationale')).toHaveValue(/^Matches demo-007 \(\d+ % of frames\)\. Crowd sets a car on fire/)
  await expect(page.getByTestId('category-violence.arson')).toBeChecked()
  await expect(page.getByTestId('action-remove')).toBeChecked()
  await page.keyboard.press('Control+Enter')
  await expect(page.getByTestId('saved-notice')).toHaveAttribute('data-clip-id', 'mirror-007')

  // Matching settings: opened from the header by keyboard, audited, a bad value refused, a threshold changed.
  await page.getByTestId('open-matching-settings').focus()
  await page.keyboard.press('Enter')
  const dialog = page.getByTestId('matching-settings')
  await expect(dialog.getByTestId('matching-queryMatchPercent')).toHaveValue('80')
  expect(await axeViolations(page, '[data-testid="matching-settings"]')).toEqual([])
  await dialog.getByTestId('matching-distanceTolerance').fill('64')
  await expect(dialog.getByRole('alert')).toBeVisible()
  await expect(dialog.getByTestId('matching-settings-save')).toBeDisabled()
  expect(await axeViolations(page, '[data-testid="matching-settings"]')).toEqual([])
  await dialog.getByTestId('matching-distanceTolerance').fill('24')
  await expect(dialog.getByTestId('matching-rescan')).toBeVisible()
  await dialog.getByTestId('matching-queryMatchPercent').fill('90')
  await dialog.getByTestId('matching-settings-save').click()
  await expect(dialog).toBeHidden()
  expect((await api<{ matching: unknown }>(page, 'settings.get')).matching).toEqual({
    distanceTolerance: 24,
    qualityTolerance: 50,
    queryMatchPercent: 90,
    comparedMatchPercent: 0,
  })
  // Matched again in the background under the new distance: the mirror is still a copy.
  await page.getByTestId('queue-filter-known').selectOption('match')
  await expect.poll(async () => (await rows(page).evaluateAll((els) => els.map((e) => e.getAttribute('data-clip-id')))).sort(), { timeout: 60_000 }).toContain('mirror-007')
})
