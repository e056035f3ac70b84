import type { Page } from '@playwright/test'
import { expect, openProfileDatabase, test } from './fixtures'

/**
 * A reviewer's real work with the keyboard alone (issue 3): after the demo pack is loaded
 * (setup, one click), every step is a key press: Tab to move between controls, the
 * console's single keys, typing. Ten clips are worked: one with two time ranges marked
 * with I / O and a category found with the quick picker, one escalated, one skipped, the
 * rest decided; a decision is revised from the recent strip; a blurred clip is revealed
 * by holding V; the language is switched; a junk search gets a hint.
 */

/** Presses Tab (Shift+Tab with `back`) until focus is on `selector`; fails after `max` presses. */
async function tabTo(page: Page, selector: string, opts: { back?: boolean; max?: number } = {}): Promise<void> {
  const max = opts.max ?? 120
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab')
  }
  throw new Error(`Tab never reached ${selector} in ${max} presses`)
}

const title = (page: Page) => page.getByTestId('clip-title')

/** Ctrl+Enter saves; the console then opens another clip. Returns the saved clip's id. */
async function saveAndMoveOn(page: Page): Promise<string> {
  const id = (await title(page).getAttribute('data-clip-id'))!
  await page.keyboard.press('Control+Enter')
  await expect(page.getByTestId('saved-notice')).toHaveAttribute('data-clip-id', id)
  await expect(title(page)).not.toHaveAttribute('data-clip-id', id)
  return id
}

/** Plays for a moment with L, then pauses with K: the playhead moves on. */
async function playABit(page: Page, ms: number): Promise<void> {
  await page.keyboard.press('l')
  await page.waitForTimeout(ms)
  await page.keyboard.press('k')
  await expect(page.getByTestId('playback-state')).toHaveAttribute('data-direction', '0')
}

test('ten clips by keyboard alone: ranges with I / O, the category picker, escalate, skip, reveal, and a revision from the recent strip', async ({ tinjau }) => {
  test.setTimeout(120_000)
  const page = tinjau.page
  await page.getByTestId('load-demo').click()
  await expect(page.getByTestId('count-pending')).toHaveAttribute('data-count', '17')

  // Into the queue from the welcome panel.
  await tabTo(page, '[data-testid="open-next"]')
  await page.keyboard.press('Enter')
  await expect(title(page)).toBeFocused()

  // ── Clip 1: protected (urging arson is blur-by-default). Hold V to look, let go to cover.
  const bar = page.getByTestId('wellness-bar')
  await expect(bar).toHaveAttribute('data-protected', 'true')
  await page.keyboard.down('v')
  await expect(bar).toHaveAttribute('data-protected', 'false')
  await page.keyboard.up('v')
  await expect(bar).toHaveAttribute('data-protected', 'true')

  // Two time ranges: I, play, O (the new range's label takes focus; Esc hands keys back).
  const ranges = page.getByTestId('timeline-range')
  for (const label of ['ajakan membakar', 'menyebut gedung']) {
    await playABit(page, 400)
    await page.keyboard.press('i')
    await expect(page.getByTestId('range-status')).not.toHaveText('')
    await playABit(page, 600)
    await page.keyboard.press('o')
    await expect(page.getByTestId('range-label').last()).toBeFocused()
    await page.keyboard.type(label)
    await page.keyboard.press('Escape')
    await expect(title(page)).toBeFocused()
  }
  await expect(ranges).toHaveCount(2)
  const [start1, end1] = await ranges.first().evaluate((el) => [Number(el.dataset.startMs), Number(el.dataset.endMs)])
  expect(end1!).toBeGreaterThan(start1!)
  const [start2] = await ranges.nth(1).evaluate((el) => [Number(el.dataset.startMs)])
  expect(start2!).toBeGreaterThanOrEqual(end1!)
  await expect(ranges.first()).toHaveAttribute('aria-label', /ajakan membakar/)

  // Edit the first range from the keyboard: Tab to it, Enter chooses it, then its end handle moves with Shift+→.
  await tabTo(page, '[data-testid="timeline-range"]')
  await page.keyboard.press('Enter')
  await expect(ranges.first()).toHaveAttribute('aria-pressed', 'true')
  await tabTo(page, '[data-testid="range-handle-end"]')
  await page.keyboard.press('Shift+ArrowRight')
  await expect(ranges.first()).toHaveAttribute('data-end-ms', String(end1! + 1000))
  await page.keyboard.press('Escape')
  await expect(ranges.first()).toHaveAttribute('aria-pressed', 'false')

  // The category by name with the quick picker (Indonesian works too), its help in view.
  await page.keyboard.press('c')
  await expect(page.getByTestId('category-picker-input')).toBeFocused()
  await page.keyboard.type('bakar')
  await expect(page.getByTestId('category-picker-help')).toContainText('violence.arson')
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('category-violence.arson')).toBeChecked()
  await expect(title(page)).toBeFocused()
  await page.keyboard.press('r') // Remove clip: the form then says a rationale is missing
  await expect(page.getByTestId('form-problems').locator('[data-code="rationale_required"]')).toHaveCount(1)
  await tabTo(page, '[data-testid="rationale"]')
  await page.keyboard.type('Streamer tells viewers to set the building on fire.')
  const ranged = await saveAndMoveOn(page)

  // ── Clip 2: escalate with a target and a note.
  const escalated = (await title(page).getAttribute('data-clip-id'))!
  await page.keyboard.press('c')
  await page.keyboard.type('coordinat')
  await page.keyboard.press('Enter')
  await page.keyboard.press('x')
  await tabTo(page, '[data-testid="escalation-target"]')
  await page.keyboard.press('ArrowDown')
  await expect(page.getByTestId('escalation-target')).not.toHaveValue('')
  await tabTo(page, '[data-testid="rationale"]')
  await page.keyboard.type('Gathering point and time named; needs the imminent-harm team.')
  await saveAndMoveOn(page)

  // ── Clip 3: skip with a reason (S, choose a reason, Ctrl+Enter).
  const skipped = (await title(page).getAttribute('data-clip-id'))!
  await page.keyboard.press('s')
  await expect(page.getByTestId('skip-preset')).toBeFocused()
  await page.keyboard.press('ArrowDown')
  await expect(page.getByTestId('skip-preset')).not.toHaveValue('')
  await tabTo(page, '[data-testid="skip-reason"]')
  await page.keyboard.type('Audio cuts out before the key moment')
  await page.keyboard.press('Control+Enter')
  await expect(page.getByTestId('skipped-notice')).toHaveAttribute('data-clip-id', skipped)
  await expect(title(page)).not.toHaveAttribute('data-clip-id', skipped)

  // ── Clips 4-10: "no violation" group (0), its first category (1), allow (a), save.
  const quick: string[] = []
  for (let i = 0; i < 7; i++) {
    await expect(title(page)).toBeFocused() // each save hands focus to the next clip
    await page.keyboard.press('0')
    await page.keyboard.press('1')
    await page.keyboard.press('a')
    quick.push(await saveAndMoveOn(page))
  }
  await expect(page.getByTestId('count-decided')).toHaveAttribute('data-count', '8')
  await expect(page.getByTestId('count-escalated')).toHaveAttribute('data-count', '1')
  await expect(page.getByTestId('count-skipped')).toHaveAttribute('data-count', '1')
  await expect(page.getByTestId('status-decisions')).toHaveAttribute('data-count', '9')

  // ── Undo and revise: the last quick decision, from the recent strip, to "label" (W) on news, with the rationale W needs.
  const revised = quick[quick.length - 1]!
  await tabTo(page, `[data-testid="recent-decision"][data-clip-id="${revised}"] button`, { back: true })
  await page.keyboard.press('Enter')
  await expect(title(page)).toHaveAttribute('data-clip-id', revised)
  await expect(page.getByTestId('save-decision')).toHaveText(/revision/i)
  await expect(title(page)).toBeFocused()
  await page.keyboard.press('1') // off: ok.commerce
  await page.keyboard.press('2') // on: ok.news
  await page.keyboard.press('w')
  await expect(page.getByTestId('form-problems').locator('[data-code="rationale_required"]')).toHaveCount(1)
  await tabTo(page, '[data-testid="rationale"]')
  await page.keyboard.type('News report, but the clip shows a crash: label it.')
  await page.keyboard.press('Control+Enter')
  await expect(page.getByTestId('saved-notice')).toHaveAttribute('data-clip-id', revised)
  await expect(page.getByTestId('count-decided')).toHaveAttribute('data-count', '8')
  await expect(page.locator(`[data-testid="recent-decision"][data-clip-id="${revised}"]`)).toContainText(/revised/i)

  // What was decided is what the store kept (read from the profile's SQLite file): the
  // ranges, the escalation, the revision chain.
  const db = openProfileDatabase(tinjau.dataDir)
  try {
    type Row = { id: string; revises_id: string | null; categories: string; action: string; escalation_target: string | null; ranges: string }
    const decisionsOn = (clipId: string) => db.prepare<[string], Row>('SELECT * FROM decisions WHERE clip_id = ? ORDER BY decided_at, rowid').all(clipId)
    const [first] = decisionsOn(ranged)
    expect(JSON.parse(first!.categories)).toEqual(['violence.arson'])
    expect(first!.action).toBe('remove')
    const kept = JSON.parse(first!.ranges) as { label: string; startMs: number; endMs: number }[]
    expect(kept.map((r) => r.label)).toEqual(['ajakan membakar', 'menyebut gedung'])
    expect(kept[0]!.endMs).toBe(end1! + 1000)
    const [esc] = decisionsOn(escalated)
    expect(esc!.action).toBe('escalate')
    expect(esc!.escalation_target).not.toBeNull()
    const chain = decisionsOn(revised)
    expect(chain).toHaveLength(2)
    expect(chain[1]!.revises_id).toBe(chain[0]!.id)
    expect(chain[1]!.action).toBe('label')
    expect(JSON.parse(chain[1]!.categories)).toEqual(['ok.news'])
    expect(db.prepare('SELECT count(*) AS n FROM decisions').get()).toEqual({ n: 10 })
  } finally {
    db.close()
  }
})

test('language switch and a junk search, by keyboard alone', async ({ tinjau }) => {
  const page = tinjau.page
  await page.getByTestId('load-demo').click()
  await expect(page.getByTestId('count-pending')).toHaveAttribute('data-count', '17')

  await tabTo(page, '[data-testid="locale-switch"]')
  await page.keyboard.press('ArrowDown') // English → Bahasa Indonesia
  await expect(page.locator('html')).toHaveAttribute('lang', 'id')
  await expect(page.getByTestId('queue-search')).toHaveAttribute('placeholder', /Cari/)

  await tabTo(page, '[data-testid="queue-search"]')
  await page.keyboard.type('"((bakar OR')
  await expect(page.getByTestId('queue-search-hint')).toBeVisible()
  await expect(page.getByTestId('queue-row')).toHaveCount(0)
  await expect(page.getByTestId('error-alert')).toHaveCount(0)
  await page.keyboard.press('Control+a')
  await page.keyboard.press('Backspace')
  await expect(page.getByTestId('queue-total')).toHaveAttribute('data-total', '17')
})
