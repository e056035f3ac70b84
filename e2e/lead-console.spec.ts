import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { zipDirectory } from '../src/core/testing/make-zip'
import { addLead } from '../src/server/ops/leads'
import { startTestServer, type TestServer } from '../src/server/testing/test-server'
import { expect, test } from './fixtures'
import { ensureTestProfileKey, TEST_PASSPHRASE } from '../src/core/testing/test-profile-key'

/**
 * The loop closed at the organisation's end, against the real sync service (PGlite, in this
 * process) and its lead console in Chromium: a lead signs in, makes two reviewers and their
 * enrollment codes, loads the demo pack by upload and assigns it to both. Two devices (the
 * CLI, each in its own processes and profile) decide: both remove four clips, disagree on
 * three, one reviewer alone decides two. The lead settles the most urgent disputed clip by
 * keyboard alone; the DSA export then holds one statement per restricted outcome, none for
 * the clips still disputed and none twice. The device that decided pulls the outcome, and
 * the app shows it in the clip's history. Every screen passes an axe audit (WCAG 2.1 AA).
 */

const ROOT = path.resolve(__dirname, '..')
const run = promisify(execFile)
const PASSWORD = 'correct horse battery staple'

async function tinjauCli(dataDir: string, ...args: string[]): Promise<string> {
  // An encrypted profile: the tests' passphrase, with a cheap scrypt cost recorded in its key file.
  await ensureTestProfileKey(dataDir)
  const env = { ...process.env, TINJAU_PASSPHRASE: TEST_PASSPHRASE }
  const { stdout } = await run(process.execPath, [path.join(ROOT, 'bin', 'tinjau.js'), '--data-dir', dataDir, ...args], { cwd: ROOT, env })
  return stdout
}

async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze()
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)
  expect(found, `axe on ${what}`).toEqual([])
}

async function enrollmentCodeFor(lead: Page, id: string, name: string): Promise<string> {
  await lead.getByTestId('reviewer-add-id').fill(id)
  await lead.getByTestId('reviewer-add-name').fill(name)
  await lead.getByTestId('reviewer-add-submit').click()
  await expect(lead.getByTestId(`reviewer-row-${id}`)).toBeVisible()
  await lead.getByTestId(`reviewer-code-${id}`).click()
  const code = lead.getByTestId('enrollment-code')
  await expect(code).toHaveText(/\S{8,}/)
  return (await code.textContent())!.trim()
}

test('a lead loads, assigns, settles a disputed clip by keyboard; one DSA statement per restricted clip; the reviewer sees the outcome', async ({ tinjau }, testInfo) => {
  test.skip(testInfo.project.name === 'electron', 'the lead console is a browser app served by the sync service; the reviewer app part runs in the web project')
  test.setTimeout(300_000)
  let server: TestServer | null = null
  const budiDir = mkdtempSync(path.join(os.tmpdir(), 'tinjau-e2e-budi-'))
  const rinaDir = tinjau.dataDir
  const zip = zipDirectory(path.join(ROOT, 'resources', 'demo'))
  const leadContext = await tinjau.page.context().browser()!.newContext()
  try {
    server = await startTestServer()
    await addLead(server.db(), { id: 'lina', name: 'Lina Marlina', role: 'admin', password: PASSWORD })
    const lead = await leadContext.newPage()

    // Sign in, by keyboard: a wrong password is refused with a clear error first.
    await lead.goto(`${server.url}/lead/`)
    await expect(lead.getByTestId('sign-in-form')).toBeVisible()
    await expectAccessible(lead, 'sign-in')
    await lead.keyboard.type('lina')
    await lead.keyboard.press('Tab')
    await lead.keyboard.type('not the password')
    await lead.keyboard.press('Enter')
    await expect(lead.getByTestId('error-alert')).toHaveAttribute('data-code', 'unauthorized')
    await lead.getByTestId('sign-in-password').fill(PASSWORD)
    await lead.keyboard.press('Enter')
    await expect(lead.getByTestId('signed-in-as')).toContainText('Lina Marlina')

    // Reviewers and their one-time codes (admin).
    await lead.getByTestId('nav-admin').click()
    await expect(lead.getByTestId('admin-page')).toBeVisible()
    const rinaCode = await enrollmentCodeFor(lead, 'rina', 'Rina Lestari')
    const budiCode = await enrollmentCodeFor(lead, 'budi', 'Budi Santoso')
    await expectAccessible(lead, 'reviewers and devices')

    // Load the demo pack by upload, and give all of it to both reviewers.
    await lead.getByTestId('nav-overview').click()
    await expect(lead.getByTestId('overview-page')).toBeVisible()
    await lead.getByTestId('pack-file').setInputFiles(zip)
    await lead.getByTestId('pack-upload').click()
    await expect(lead.getByTestId('pack-result')).toContainText('demo-2025-08-jkt')
    const form = lead.getByTestId('assign-form-demo-2025-08-jkt')
    await form.getByTestId('assign-reviewer-rina').check()
    await form.getByTestId('assign-reviewer-budi').check()
    await form.getByTestId('assign-mode-all').check()
    await form.getByTestId('assign-submit').click()
    await expect(lead.getByTestId('assign-result')).toContainText('17')
    // Two clips stay Rina's alone (the operator takes them back from Budi): single reviews.
    expect(await server.ops.unassign('demo-2025-08-jkt', 'budi', ['demo-008', 'demo-009'])).toBe(2)

    // Two devices, each the CLI in its own processes: Rina's profile is the app's own.
    await tinjauCli(rinaDir, 'enroll', server.url, rinaCode)
    await tinjauCli(budiDir, 'enroll', server.url, budiCode)
    await tinjauCli(rinaDir, 'sync')
    await tinjauCli(budiDir, 'sync')
    const remove = ['--action', 'remove', '--category', 'violence.arson', '--rationale', 'Urges viewers to burn the market.']
    for (const clip of ['demo-001', 'demo-002', 'demo-003', 'demo-004']) {
      await tinjauCli(rinaDir, 'decide', clip, ...remove)
      await tinjauCli(budiDir, 'decide', clip, ...remove)
    }
    for (const clip of ['demo-005', 'demo-006', 'demo-007']) {
      await tinjauCli(rinaDir, 'decide', clip, ...remove)
      await tinjauCli(budiDir, 'decide', clip, '--action', 'allow', '--category', 'ok.news')
    }
    await tinjauCli(rinaDir, 'decide', 'demo-008', ...remove)
    await tinjauCli(rinaDir, 'decide', 'demo-009', '--action', 'allow', '--category', 'ok.commerce')
    await tinjauCli(rinaDir, 'sync')
    await tinjauCli(budiDir, 'sync')

    // Progress shows it: three disputed, four agreed, two decided by one reviewer.
    await lead.getByTestId('overview-reload').click()
    const pack = lead.getByTestId('pack-demo-2025-08-jkt')
    await expect(pack.getByTestId('outcome-count-disputed')).toHaveAttribute('data-count', '3')
    await expect(pack.getByTestId('outcome-count-consensus')).toHaveAttribute('data-count', '4')
    await expect(pack.getByTestId('outcome-count-single_review')).toHaveAttribute('data-count', '2')
    await expectAccessible(lead, 'packs and progress')

    // Opened straight at the disputed list, the console asks for each of its first answers
    // once, all before its code has loaded (src/lead/boot.ts), and shows them.
    const opened = await leadContext.newPage()
    const asked: string[] = []
    opened.on('request', (r) => {
      if (r.url().includes('/lead/api/')) asked.push(`${r.method()} ${new URL(r.url()).pathname}${new URL(r.url()).search}`)
    })
    await opened.goto(`${server.url}/lead/#/disputes`)
    await expect(opened.getByTestId('dispute-row')).toHaveCount(3)
    expect(asked.sort()).toEqual(['GET /lead/api/disputes?limit=50', 'GET /lead/api/policy', 'GET /lead/api/session'])
    await opened.close()

    // The disputed list, then the most urgent clip, settled by keyboard alone.
    await lead.getByTestId('nav-disputes').click()
    await expect(lead.getByTestId('disputes-total')).toHaveAttribute('data-count', '3')
    await expectAccessible(lead, 'disputed clips')
    const rows = lead.getByTestId('dispute-row')
    const settled = (await rows.first().getAttribute('data-clip-id'))!
    const stillDisputed = (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-clip-id')!))).filter((c) => c !== settled)
    await lead.keyboard.press('j')
    await expect(rows.first().getByRole('link')).toBeFocused()
    await lead.keyboard.press('Enter')
    const page = lead.getByTestId('clip-page')
    await expect(page).toHaveAttribute('data-clip-id', settled)
    await expect(page).toHaveAttribute('data-outcome-kind', 'disputed')
    // The video opens protected exactly when the clip is flagged in a blur-by-default category.
    const bar = lead.getByTestId('wellness-bar')
    await expect(bar).toHaveAttribute('data-protected', (await bar.getAttribute('data-sensitive'))!)
    await expectAccessible(lead, 'a disputed clip')
    const reviewers = await lead.getByTestId('decision-card').evaluateAll((els) => els.map((e) => e.getAttribute('data-reviewer')))
    await lead.keyboard.press(String(reviewers.indexOf('rina') + 1))
    await expect(lead.getByTestId('outcome-source')).toContainText('Rina Lestari')
    await lead.keyboard.press('Control+Enter')
    await expect(lead.getByTestId('outcome-saved')).toBeVisible()
    await expect(page).toHaveAttribute('data-outcome-kind', 'adjudicated')
    await expect(lead.getByTestId('outcome-history').locator('li').first()).toHaveAttribute('data-kind', 'adjudicated')

    // The outcome export: one statement per restricted outcome (4 agreed removals, 1 single
    // review removal, the settled clip), none for the clips still disputed or allowed.
    await lead.getByTestId('nav-exports').click()
    await expect(lead.getByTestId('exports-page')).toBeVisible()
    await lead.getByTestId('export-new').click()
    await expect(lead.getByTestId('export-result')).toBeVisible()
    const firstRun = lead.locator('[data-testid^="export-run-"]').first()
    await expect(firstRun).toHaveAttribute('data-statements', '6')
    const fileHref = (await lead.locator('[data-testid^="export-file-"]').first().getAttribute('href'))!
    const file = (await (await lead.request.get(new URL(fileHref, server.url).toString())).json()) as { statements: { puid: string }[] }
    expect(file.statements).toHaveLength(6)
    expect(new Set(file.statements.map((s) => s.puid)).size).toBe(6)
    const outcomeOf = async (clip: string) => ((await (await lead.request.get(`${server!.url}/lead/api/clips/${clip}`)).json()) as { outcome: { id: string } }).outcome.id
    expect(file.statements.map((s) => s.puid)).toContain(await outcomeOf(settled))
    for (const clip of stillDisputed) expect(file.statements.map((s) => s.puid)).not.toContain(await outcomeOf(clip))
    // Exporting what is new again files nothing twice.
    await lead.getByTestId('export-new').click()
    await expect(lead.locator('[data-testid^="export-run-"]')).toHaveCount(2)
    await expect(lead.locator('[data-testid^="export-run-"]').first()).toHaveAttribute('data-statements', '0')
    await expectAccessible(lead, 'DSA exports')

    // QA sampling: a rule, a draw (blind second reviews), the agreement report.
    await lead.getByTestId('nav-qa').click()
    await expect(lead.getByTestId('qa-page')).toBeVisible()
    await lead.getByTestId('qa-percent-demo-2025-08-jkt').fill('50')
    await lead.getByTestId('qa-save-demo-2025-08-jkt').click()
    await expect(lead.getByTestId('qa-saved-demo-2025-08-jkt')).toBeVisible()
    await lead.getByTestId('qa-draw-demo-2025-08-jkt').click()
    await expect(lead.getByTestId('qa-draw-result')).toBeVisible()
    // Seven clips decided by both, four of them alike.
    await lead.getByTestId('qa-run-report').click()
    await expect(lead.getByTestId('qa-percent-agreement')).toHaveAttribute('data-value', /^0\.571/)
    await expectAccessible(lead, 'QA sampling')

    // Rina's device pulls the outcome; the app shows it in the clip's history, her decision unchanged.
    const pulled = JSON.parse(await tinjauCli(rinaDir, 'sync', '--json')) as { outcomes: number }
    expect(pulled.outcomes).toBeGreaterThan(0)
    const app = await tinjau.restart()
    await app.getByTestId('filter-all').check()
    const row = app.locator(`[data-testid="queue-row"][data-clip-id="${settled}"]`)
    await expect(async () => {
      await row.click()
      await expect(app.getByTestId('clip-title')).toHaveAttribute('data-clip-id', settled, { timeout: 2_000 })
    }).toPass({ timeout: 20_000 })
    const note = app.locator('[data-outcome-kind="adjudicated"]')
    await expect(note).toContainText('Settled by a lead (Lina Marlina)')
    await expect(note).toContainText('Your decision was upheld')
  } finally {
    await leadContext.close()
    await server?.stop()
    rmSync(budiDir, { recursive: true, force: true })
    rmSync(zip, { force: true })
  }
})
