import type { Page } from '@playwright/test'
import { makeClip, makeManifest, tempDir, writeManifest } from '../src/core/testing/make-pack'
import { api, axeViolations, hashingDone, mirrorVideo } from './app-page'
import { expect, test } from './fixtures'

/**
 * Known footage (issue 14), end to end in the browser: the demo pack is hashed in the
 * background by Chromium's own decoders, a clip is decided, a pack holding a re-encoded
 * copy of it arrives, and the copy shows the match before it plays; `D` fills in the same
 * decision, which the reviewer saves, recording the match it came from. A second copy in the
 * same pack (the same file, from another mirror account) is then decided alike with Shift+D:
 * three decisions, one per clip.
 */

/**
 * A field pack with two clips of one file: demo-007's video re-encoded by ffmpeg at a low
 * bitrate, as a mirror account would re-stream it, and the same file from a second account.
 */
function mirrorPack(): string {
  const root = tempDir('tinjau-mirror-')
  const media = mirrorVideo(root, 'demo-007', 'mirror-007.webm')
  const mirror = (id: string, stream: string) =>
    makeClip(id, media, {
      segment: { start_ms: 0, end_ms: 7541 },
      flags: [{ source: 'user_report', label: 'public_safety.provocation', count: 3 }],
      transcript: [{ at_ms: 1_000, end_ms: 3_000, text: 'ayo kumpul' }],
      chat: [{ at_ms: 2_500, author: 'user123', text: 'bakar!' }],
      stream: { id: stream, title: 'Re-upload: aksi damai', started_at: '2025-08-29T12:40:00+07:00', region: 'ID-JK', language: 'id', commerce: false, viewer_peak: 40 },
    })
  writeManifest(root, makeManifest([mirror('mirror-007', 'live-mirror'), mirror('mirror-007b', 'live-mirror-b')], { pack_id: 'pk-mirror' }))
  return root
}

async function openClip(page: Page, id: string): Promise<void> {
  await page.locator(`[data-testid="queue-row"][data-clip-id="${id}"]`).click()
  await expect(page.getByTestId('clip-title')).toHaveAttribute('data-clip-id', id)
}

test('a re-encoded copy of a decided clip shows the match before it plays, and D applies the same decision', async ({ tinjau }) => {
  test.setTimeout(240_000)
  const { page } = tinjau
  await page.getByTestId('load-demo').click()
  await expect(page.getByTestId('import-summary')).toBeVisible()
  await hashingDone(page)
  expect(await api<{ hashed: number; total: number }>(page, 'hashes.status')).toMatchObject({ hashed: 32, total: 32 })

  await openClip(page, 'demo-007')
  await page.getByTestId('category-violence.arson').click()
  await page.getByTestId('action-remove').click()
  await page.getByTestId('rationale').fill('Crowd sets a car on fire; the streamer urges viewers to join.')
  await page.keyboard.press('Control+Enter')
  await expect(page.getByTestId('saved-notice')).toHaveAttribute('data-clip-id', 'demo-007')

  // The copy arrives in a pack of its own (its path typed, which both hosts take).
  await page.getByTestId('open-import').click()
  await page.getByTestId('import-path').fill(mirrorPack())
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('import-dialog').getByTestId('import-summary')).toHaveAttribute('data-pack-id', 'pk-mirror')
  await page.getByTestId('import-dialog-close').click()
  await hashingDone(page)

  await openClip(page, 'mirror-007')
  const panel = page.getByTestId('known-content')
  await expect(panel).toHaveAttribute('data-match-clip-id', 'demo-007')
  await expect(panel.getByTestId('known-match')).toHaveAttribute('data-same-file', 'false')
  expect(Number(await panel.getByTestId('known-match').getAttribute('data-query-percent'))).toBeGreaterThanOrEqual(80)
  await expect(panel.getByTestId('known-decision')).toContainText('Remove')
  // Nothing has played: the match is there before the reviewer watches.
  expect(await page.getByTestId('clip-video').evaluate((v: HTMLVideoElement) => v.currentTime)).toBe(0)
  expect(await axeViolations(page, '[data-testid="known-content"]')).toEqual([])

  await page.getByTestId('clip-title').focus()
  await page.keyboard.press('d')
  await expect(page.getByTestId('known-applied')).toBeVisible()
  await expect(page.getByTestId('category-violence.arson')).toBeChecked()
  await expect(page.getByTestId('action-remove')).toBeChecked()
  await expect(page.getByTestId('rationale')).toHaveValue(/^Matches demo-007 \(\d+ % of frames\)\. Crowd sets a car on fire/)
  // The form says it was filled from the match, and an edit keeps that: the reviewer still started from it.
  await expect(page.getByTestId('form-matched-from')).toHaveAttribute('data-match-clip-id', 'demo-007')
  await page.getByTestId('rationale').press('End')
  await page.getByTestId('rationale').pressSequentially(' Same footage.')
  await expect(page.getByTestId('form-matched-from')).toBeVisible()
  await page.getByTestId('clip-title').focus()
  await page.keyboard.press('Control+Enter')
  await expect(page.getByTestId('saved-notice')).toHaveAttribute('data-clip-id', 'mirror-007')

  type Listed = { id: string; clipId: string; action: string; categories: string[]; matchedFrom: Record<string, unknown> | null }
  const listed = async () => (await api<{ items: Listed[] }>(page, 'decision.list', {})).items
  const original = (await listed()).find((d) => d.clipId === 'demo-007')!
  expect(original.matchedFrom).toBeNull()
  const applied = (await listed()).find((d) => d.clipId === 'mirror-007')!
  expect(applied).toMatchObject({ action: 'remove', categories: ['violence.arson'], matchedFrom: { source: 'clip', clipId: 'demo-007', decisionId: original.id, sameFile: false } })
  expect(applied.matchedFrom!.queryMatchPercent).toBeGreaterThanOrEqual(80)

  // The second copy is not decided yet: the saved notice offers to decide it alike, Shift+D does.
  const offer = page.getByTestId('copies-offer')
  await expect(offer).toHaveAttribute('data-count', '1')
  await expect(offer).toHaveAttribute('data-clip-ids', 'mirror-007b')
  expect(await axeViolations(page, '[data-testid="copies-offer"]')).toEqual([])
  await page.getByTestId('clip-title').focus()
  await page.keyboard.press('Shift+D')
  await expect(page.getByTestId('copies-applied')).toHaveAttribute('data-count', '1')
  // The copy was the clip opened after the save: decided now, the console has moved on.
  await expect(page.getByTestId('clip-title')).not.toHaveAttribute('data-clip-id', 'mirror-007b')

  const all = await listed()
  expect(all.map((d) => [d.clipId, d.action, d.categories]).sort()).toEqual([
    ['demo-007', 'remove', ['violence.arson']],
    ['mirror-007', 'remove', ['violence.arson']],
    ['mirror-007b', 'remove', ['violence.arson']],
  ])
  expect(all.find((d) => d.clipId === 'mirror-007b')!.matchedFrom).toMatchObject({ source: 'clip', clipId: 'mirror-007', decisionId: applied.id, sameFile: true })

  // Each clip's history says where its decision came from.
  await openClip(page, 'mirror-007')
  await expect(page.getByTestId('history-matched-from')).toHaveAttribute('data-match-clip-id', 'demo-007')
  await expect(page.getByTestId('history-matched-from')).toContainText(/Applied from a match with demo-007 \(\d+ % of frames\)/)
  await openClip(page, 'mirror-007b')
  await expect(page.getByTestId('history-matched-from')).toContainText('Applied from mirror-007, the same video file')
})
