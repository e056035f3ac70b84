import type { Page } from '@playwright/test'
import { expect, test } from './fixtures'

/**
 * The foundation slice, as a reviewer lives it: first start, load the demo pack, watch a
 * clip, decide three clips with the mouse and three with the keyboard, restart Tinjau on
 * the same data dir, and find all six decisions still there.
 */

async function openClipId(page: Page): Promise<string> {
  const title = page.getByTestId('clip-title')
  await expect(title).toBeVisible()
  return (await title.getAttribute('data-clip-id'))!
}

/** Save, then wait for the notice naming this clip and for the next clip to open. */
async function expectSaved(page: Page, clipId: string): Promise<void> {
  await expect(page.getByTestId('saved-notice')).toHaveAttribute('data-clip-id', clipId)
  await expect(page.getByTestId('clip-title')).not.toHaveAttribute('data-clip-id', clipId)
}

async function decideWithMouse(page: Page, category: string, action: string, rationale?: string): Promise<string> {
  const clipId = await openClipId(page)
  await page.getByTestId(`category-${category}`).click()
  await page.getByTestId(`action-${action}`).click()
  if (rationale) await page.getByTestId('rationale').fill(rationale)
  await expect(page.getByTestId('save-decision')).toBeEnabled()
  await page.getByTestId('save-decision').click()
  await expectSaved(page, clipId)
  return clipId
}

async function decideWithKeyboard(page: Page, keys: string[]): Promise<string> {
  const clipId = await openClipId(page)
  for (const key of keys) await page.keyboard.press(key)
  await expect(page.getByTestId('save-decision')).toBeEnabled()
  await page.keyboard.press('Control+Enter')
  await expectSaved(page, clipId)
  return clipId
}

test('load the demo, watch a clip, decide six clips, restart, and find every decision', async ({ tinjau }) => {
  let page = tinjau.page

  // First start: an empty queue offers the demo pack.
  await page.getByTestId('load-demo').click()
  await expect(page.getByTestId('import-summary')).toBeVisible()
  await expect(page.getByTestId('queue-row')).toHaveCount(17)
  await expect(page.getByTestId('count-pending')).toHaveAttribute('data-count', '17')

  // Watch: the clip's media is served by hash and really plays.
  await page.getByTestId('queue-row').first().click()
  const video = page.getByTestId('clip-video')
  await expect(video).toHaveAttribute('src', /[0-9a-f]{64}/)
  await video.evaluate((v: HTMLVideoElement) => {
    v.muted = true
    return v.play()
  })
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 15_000 }).toBeGreaterThan(0.5)
  expect(await video.evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0)
  await video.evaluate((v: HTMLVideoElement) => v.pause())

  // Three with the mouse.
  const decided: string[] = []
  decided.push(await decideWithMouse(page, 'violence.arson', 'remove', 'Streamer urges viewers to burn the market at 00:04.'))
  decided.push(await decideWithMouse(page, 'ok.commerce', 'allow'))
  decided.push(await decideWithMouse(page, 'public_safety.provocation', 'limit', 'Chat is being steered towards gathering; limit reach.'))

  // Three with the keyboard alone: 0 switches to the no-violation group, digits pick a
  // category, the action's letter picks the action, Ctrl+Enter saves.
  await page.keyboard.press('Escape')
  decided.push(await decideWithKeyboard(page, ['0', '1', 'a']))
  decided.push(await decideWithKeyboard(page, ['0', '2', 'a']))
  decided.push(await decideWithKeyboard(page, ['0', '3', 'a']))

  expect(new Set(decided).size).toBe(6)
  await expect(page.getByTestId('count-decided')).toHaveAttribute('data-count', '6')

  // Quit and start again on the same data dir.
  page = await tinjau.restart()
  await expect(page.getByTestId('count-decided')).toHaveAttribute('data-count', '6')
  await expect(page.getByTestId('count-pending')).toHaveAttribute('data-count', '11')
  await page.getByTestId('filter-decided').click()
  await expect(page.getByTestId('queue-row')).toHaveCount(6)
  const ids = await page.getByTestId('queue-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-clip-id')))
  expect(ids.sort()).toEqual([...decided].sort())

  // The first decision is there in full: in the clip's history, and as the decision a
  // revision would start from.
  await page.locator(`[data-testid="queue-row"][data-clip-id="${decided[0]}"]`).click()
  const rationale = 'Streamer urges viewers to burn the market at 00:04.'
  await expect(page.locator('.rationale-text', { hasText: rationale })).toBeVisible()
  await expect(page.getByTestId('rationale')).toHaveValue(rationale)
  await expect(page.getByTestId('category-violence.arson')).toBeChecked()
  await expect(page.getByTestId('action-remove')).toBeChecked()
})

test('the language switch changes the whole UI and is remembered', async ({ tinjau }) => {
  let page = tinjau.page
  await expect(page.getByTestId('load-demo')).toBeVisible()
  const english = await page.getByTestId('load-demo').innerText()
  await page.getByTestId('locale-switch').selectOption('id')
  await expect(page.getByTestId('load-demo')).not.toHaveText(english)
  await expect(page.locator('html')).toHaveAttribute('lang', 'id')
  const indonesian = await page.getByTestId('load-demo').innerText()
  page = await tinjau.restart()
  await expect(page.getByTestId('load-demo')).toHaveText(indonesian)
})

test('a decision the host refuses is explained, and nothing is saved', async ({ tinjau }) => {
  const page = tinjau.page
  await page.getByTestId('load-demo').click()
  await page.getByTestId('queue-row').first().click()
  // The form will not offer Save without a rationale where the policy requires one...
  await page.getByTestId('category-violence.arson').click()
  await page.getByTestId('action-remove').click()
  await expect(page.getByTestId('save-decision')).toBeDisabled()
  await expect(page.getByTestId('form-problems').locator('li[data-code="rationale_required"]')).toBeVisible()
  // ...and the host refuses it too when asked directly, with a structured error
  // (over window.tinjau in Electron, over HTTP in the web host).
  const clipId = await openClipId(page)
  const error = await page.evaluate(async (id) => {
    const input = { clipId: id, categories: ['violence.arson'], action: 'remove', rationale: '' }
    const bridge = (window as unknown as { tinjau?: { invoke(m: string, i: unknown): Promise<any> } }).tinjau
    if (bridge) return (await bridge.invoke('decision.record', input)).error
    const res = await fetch('/api/decision.record', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionStorage.getItem('tinjau.secret')}` },
      body: JSON.stringify(input),
    })
    return { ...(await res.json()).error, status: res.status }
  }, clipId)
  expect(error.code).toBe('policy_violation')
  expect(error.message).toMatch(/a rationale is required for action "remove"/)
  if (error.status !== undefined) expect(error.status).toBe(422)
  await expect(page.getByTestId('count-decided')).toHaveAttribute('data-count', '0')
})
