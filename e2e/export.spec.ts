import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { verifyDecisionPack } from '../src/core/export'
import { expect, test } from './fixtures'

/**
 * Decisions out from the UI: decide two demo clips, export a signed decision pack, DSA
 * statements and CSV from the export dialog, and check what landed on disk.
 */

async function decide(page: Page, category: string, action: string, rationale?: string): Promise<string> {
  const title = page.getByTestId('clip-title')
  await expect(title).toBeVisible()
  const clipId = (await title.getAttribute('data-clip-id'))!
  await page.getByTestId(`category-${category}`).click()
  await page.getByTestId(`action-${action}`).click()
  if (rationale) await page.getByTestId('rationale').fill(rationale)
  await page.getByTestId('save-decision').click()
  await expect(page.getByTestId('saved-notice')).toHaveAttribute('data-clip-id', clipId)
  return clipId
}

async function exportAs(page: Page, format: 'pack' | 'dsa' | 'csv', out: string): Promise<string[]> {
  await page.getByTestId('open-export').click()
  await page.getByTestId('export-format').selectOption(format)
  await page.getByTestId('export-out').fill(out)
  await page.getByTestId('export-run').click()
  const outcome = page.getByTestId('export-outcome')
  await expect(outcome).toBeVisible()
  const paths = await outcome.locator('code').allTextContents()
  await page.getByTestId('export-dialog-close').click()
  return paths
}

test('a signed decision pack, DSA statements and CSV exported from the dialog', async ({ tinjau }) => {
  const { page, dataDir } = tinjau
  await page.getByTestId('load-demo').click()
  await expect(page.getByTestId('queue-row')).toHaveCount(17)
  await page.getByTestId('queue-row').first().click()
  const removed = await decide(page, 'violence.arson', 'remove', 'Urges viewers to burn the market, "tonight", at 00:04.')
  await decide(page, 'ok.commerce', 'allow')

  const exports = path.join(dataDir, 'e2e-exports')
  const [packFile] = await exportAs(page, 'pack', path.join(exports, 'decisions.zip'))
  expect(packFile).toBe(path.join(exports, 'decisions.zip'))
  const verified = await verifyDecisionPack(packFile!)
  expect(verified.ok).toBe(true)

  const dsaFiles = await exportAs(page, 'dsa', path.join(exports, 'dsa'))
  expect(dsaFiles).toHaveLength(1)
  const { statements } = JSON.parse(readFileSync(dsaFiles[0]!, 'utf8')) as { statements: { decision_visibility?: string[] }[] }
  // The removal is restrictive; the allow is not.
  expect(statements).toHaveLength(1)
  expect(statements[0]!.decision_visibility).toEqual(['DECISION_VISIBILITY_CONTENT_REMOVED'])

  const [csvFile] = await exportAs(page, 'csv', path.join(exports, 'decisions.csv'))
  const csv = readFileSync(csvFile!, 'utf8')
  expect(csv.split('\n').filter(Boolean).length).toBeGreaterThanOrEqual(3) // header + two rows (a quoted note may add lines)
  expect(csv).toContain(removed)
  expect(csv).toContain('"Urges viewers to burn the market, ""tonight"", at 00:04."')

  // A file that exists is not replaced unless asked.
  await page.getByTestId('open-export').click()
  await page.getByTestId('export-format').selectOption('csv')
  await page.getByTestId('export-out').fill(csvFile!)
  await page.getByTestId('export-run').click()
  await expect(page.getByTestId('export-dialog').getByTestId('error-alert')).toBeVisible()
  expect(readFileSync(csvFile!, 'utf8')).toBe(csv)
  expect(existsSync(exports) && readdirSync(exports).length).toBe(3)
})
