import path from 'node:path'
import { HashStore } from '../src/core/hashes/hash-store'
import { makeEntry, makeHashListDoc, makeIssuerKey, writeTestHashList } from '../src/core/hash-lists/testing/make-hash-list'
import { tempDir } from '../src/core/testing/make-pack'
import { formatHash256, HASH256_WORDS } from '../src/shared/pdq/hash256'
import { api, axeViolations } from './app-page'
import { expect, openProfileDatabase, test } from './fixtures'

/**
 * Hash lists (docs/hash-list.md) end to end: a lead's signed list made from a clip's frames
 * as Chromium hashed them is imported through the import dialog (its path typed, as both
 * hosts take), the dialog says what it added, and the clip shows the list's entry with the
 * decision it carries; `D` fills that decision in, and the saved decision records the list
 * entry it came from, as the clip's history shows. The hash lists dialog (from the header)
 * shows the list and removes it, by keyboard, after a confirmation; the clip's panel then no
 * longer shows the entry. Every view passes an axe-core audit.
 */

/** A signed hash list of one entry: the frames the app stored for this clip's video, carrying a removal. */
async function listFromProfile(dataDir: string, clipId: string): Promise<string> {
  const db = openProfileDatabase(dataDir)
  try {
    const sha = db.prepare('SELECT media_sha256 FROM clips WHERE id = ?').pluck().get(clipId) as string
    const f = new HashStore(db).frames(sha)
    if (!f) throw new Error(`${clipId} is not hashed`)
    const per = f.hashesPerFrame
    const frames = Array.from(f.timesMs, (t, i) => ({
      t_ms: t,
      hashes: Array.from({ length: per }, (_, k) => ({ hash: formatHash256(f.hashes, (i * per + k) * HASH256_WORDS), quality: f.qualities[i * per + k]! })),
    }))
    const key = makeIssuerKey()
    const doc = makeHashListDoc(key, [
      makeEntry('arson-thamrin', {
        label: 'Car set on fire, Jl. Thamrin',
        media_sha256: null,
        frames,
        decision: { action: 'remove', categories: ['violence.arson'], rationale: 'Arson shown to incite.', policy_id: null, policy_version: null, decided_by: 'lead-ana', decided_at: '2025-09-04T08:00:00.000Z', source_clip_id: null },
      }),
    ])
    return await writeTestHashList(doc, key, path.join(tempDir('tinjau-e2e-list-'), 'riots-known.zip'))
  } finally {
    db.close()
  }
}

test('a hash list imported through the dialog: the summary says what it added, and a clip shows the entry it matches; D applies its decision', async ({ tinjau }) => {
  test.setTimeout(300_000)
  const { page, dataDir } = tinjau
  await page.getByTestId('load-demo').click()
  await expect(page.getByTestId('import-summary')).toBeVisible()
  await expect
    .poll(async () => (await api<{ hashing: string }>(page, 'clip.matches', { clipId: 'demo-007' })).hashing, { timeout: 240_000, intervals: [2_000] })
    .toBe('hashed')
  const file = await listFromProfile(dataDir, 'demo-007')

  await page.getByTestId('open-import').click()
  await page.getByTestId('import-path').fill(file)
  await page.keyboard.press('Enter')
  const summary = page.getByTestId('import-dialog').getByTestId('hashlist-summary')
  await expect(summary).toHaveAttribute('data-outcome', 'added')
  await expect(summary).toContainText('Jakarta riots, known footage')
  await expect(summary).toContainText('Trust & Safety lead')
  expect(await axeViolations(page, '[data-testid="import-dialog"]')).toEqual([])
  await page.getByTestId('import-dialog-close').click()

  await page.locator('[data-testid="queue-row"][data-clip-id="demo-007"]').click()
  await expect(page.getByTestId('clip-title')).toHaveAttribute('data-clip-id', 'demo-007')
  const panel = page.getByTestId('known-content')
  await expect(panel).toHaveAttribute('data-match-source', 'hashlist')
  await expect(panel).toHaveAttribute('data-match-entry-id', 'arson-thamrin')
  await expect(panel.getByTestId('known-match')).toContainText('Car set on fire, Jl. Thamrin')
  await expect(panel.getByTestId('known-list')).toContainText('Jakarta riots, known footage')
  await expect(panel.getByTestId('known-decision')).toContainText('Remove')
  expect(await axeViolations(page, '[data-testid="known-content"]')).toEqual([])

  await page.getByTestId('clip-title').focus()
  await page.keyboard.press('d')
  await expect(page.getByTestId('known-applied')).toBeVisible()
  await expect(page.getByTestId('category-violence.arson')).toBeChecked()
  await expect(page.getByTestId('action-remove')).toBeChecked()
  await expect(page.getByTestId('rationale')).toHaveValue(/^Matches “Car set on fire, Jl\. Thamrin” in hash list Jakarta riots, known footage \(\d+ % of frames\)\. Arson shown to incite\./)
  await expect(page.getByTestId('form-matched-from')).toHaveAttribute('data-match-entry-id', 'arson-thamrin')
  await expect(page.getByTestId('form-matched-from')).toContainText('Filled in from “Car set on fire, Jl. Thamrin” in hash list hl-jkt-riots')

  // Saved, the decision records the list, its version in force and the entry it was applied from.
  await page.getByTestId('clip-title').focus()
  await page.keyboard.press('Control+Enter')
  await expect(page.getByTestId('saved-notice')).toHaveAttribute('data-clip-id', 'demo-007')
  type Listed = { clipId: string; action: string; categories: string[]; matchedFrom: Record<string, unknown> | null }
  const [applied] = (await api<{ items: Listed[] }>(page, 'decision.list', { clipId: 'demo-007' })).items
  expect(applied).toMatchObject({
    action: 'remove',
    categories: ['violence.arson'],
    matchedFrom: {
      source: 'hashlist',
      listId: 'hl-jkt-riots',
      listSource: 'hashlist',
      listVersion: '2025-09-05T10:00:00.000Z',
      entryId: 'arson-thamrin',
      label: 'Car set on fire, Jl. Thamrin',
      sameFile: false,
    },
  })
  expect(applied!.matchedFrom!.queryMatchPercent).toBeGreaterThanOrEqual(80)

  // The clip's history says where its decision came from.
  await page.locator('[data-testid="queue-row"][data-clip-id="demo-007"]').click()
  await expect(page.getByTestId('clip-title')).toHaveAttribute('data-clip-id', 'demo-007')
  const history = page.getByTestId('history-matched-from')
  await expect(history).toHaveAttribute('data-match-list-id', 'hl-jkt-riots')
  await expect(history).toHaveAttribute('data-match-entry-id', 'arson-thamrin')
  await expect(history).toContainText(/Applied from “Car set on fire, Jl\. Thamrin” in hash list hl-jkt-riots \(\d+ % of frames\)/)

  // The hash lists dialog, by keyboard: the list is shown, removed after a confirmation, and the clip no longer matches it.
  await expect(page.locator('[data-testid="known-content"][data-match-source="hashlist"]')).toHaveCount(1)
  await page.getByTestId('open-hash-lists').focus()
  await page.keyboard.press('Enter')
  const lists = page.getByTestId('hash-lists')
  const row = lists.locator('[data-testid="hash-list-row"][data-list-id="hl-jkt-riots"]')
  await expect(row).toContainText('Jakarta riots, known footage')
  await expect(row).toContainText('hl-jkt-riots')
  await expect(row).toContainText('Trust & Safety lead')
  await expect(row).toContainText('Imported file')
  expect(await axeViolations(page, '[data-testid="hash-lists"]')).toEqual([])
  await row.getByTestId('hash-list-remove').focus()
  await page.keyboard.press('Enter')
  await expect(row.getByTestId('hash-list-remove-confirm')).toBeFocused()
  await expect(row).toContainText('Remove “Jakarta riots, known footage” and its 1 entry?')
  expect(await axeViolations(page, '[data-testid="hash-lists"]')).toEqual([])
  await page.keyboard.press('Enter')
  await expect(lists.getByTestId('hash-lists-removed')).toContainText('Hash list “Jakarta riots, known footage” removed.')
  await expect(lists.getByTestId('hash-lists-empty')).toBeVisible()
  expect(await axeViolations(page, '[data-testid="hash-lists"]')).toEqual([])
  await page.keyboard.press('Escape')
  await expect(lists).toBeHidden()
  expect((await api<{ lists: unknown[] }>(page, 'hashlist.list')).lists).toEqual([])
  await expect(page.locator('[data-testid="known-content"][data-match-source="hashlist"]')).toHaveCount(0)
  await expect(page.getByTestId('known-list')).toHaveCount(0)
})
