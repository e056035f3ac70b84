import { api, axeViolations } from './app-page'
import { E2E_PASSPHRASE, expect, test } from './fixtures'

/**
 * The lock screen (issue 15), against the web host started without TINJAU_PASSPHRASE: a new
 * profile asks for a passphrase and is encrypted with it; Lock closes it; a wrong
 * passphrase is refused; the right one brings the queue back with its decisions. The
 * Electron app unlocks with the OS key store instead (unit-tested in src/main/lock.test.ts).
 */

const PASS = 'kata sandi lapangan'

const webOnly = () => test.skip(test.info().project.name === 'electron', 'the desktop app opens with the OS key store, without this screen')

test.describe('a host started locked', () => {
  test.use({ webPassphrase: null })

  test('choose a passphrase → the queue; Lock → the lock screen; wrong passphrase refused; the right one → the queue, decisions intact', async ({ tinjau }) => {
    webOnly()
    const { page } = tinjau
    const choose = page.getByTestId('choose-passphrase')
    await expect(choose).toBeVisible()
    await expect(choose).toContainText('cannot be recovered')
    expect(await axeViolations(page, '[data-testid="choose-passphrase"]')).toEqual([])

    // Keyboard only: the passphrase field has focus; Tab to the second; Enter submits.
    await expect(page.getByTestId('passphrase')).toBeFocused()
    await page.keyboard.type('short')
    await page.keyboard.press('Tab')
    await page.keyboard.type('short')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('passphrase-problem')).toHaveAttribute('data-problem', 'tooShort')
    await page.getByTestId('passphrase').fill(PASS)
    await page.getByTestId('passphrase-confirm').fill(`${PASS}!`)
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('passphrase-problem')).toHaveAttribute('data-problem', 'mismatch')
    await page.getByTestId('passphrase-confirm').fill(PASS)
    await page.keyboard.press('Enter')

    // Open: the first-start welcome of an empty profile.
    await expect(page.getByTestId('load-demo')).toBeVisible({ timeout: 20_000 })
    await page.getByTestId('load-demo').click()
    await expect(page.getByTestId('import-summary')).toBeVisible({ timeout: 30_000 })
    const first = await api<{ items: { id: string }[] }>(page, 'queue.list', { limit: 1 })
    const clipId = first.items[0]!.id
    await api(page, 'decision.record', { clipId, categories: ['ok.news'], action: 'allow' })
    await expect(page.getByTestId('count-decided')).toHaveAttribute('data-count', '1')

    await page.getByTestId('lock-profile').click()
    const lock = page.getByTestId('lock-screen')
    await expect(lock).toBeVisible()
    await expect(lock).toContainText('You locked Tinjau')
    // Nothing of the profile stays on screen.
    await expect(page.getByTestId('queue-row')).toHaveCount(0)
    await expect(page.getByTestId('count-decided')).toHaveCount(0)
    expect(await axeViolations(page, '[data-testid="lock-screen"]')).toEqual([])
    // And nothing of it is served.
    const refused = await page.evaluate(async () => {
      const r = await fetch('/api/queue.list', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionStorage.getItem('tinjau.secret')}` }, body: '{}' })
      return { status: r.status, body: (await r.json()) as { error: { code: string } } }
    })
    expect(refused).toMatchObject({ status: 423, body: { error: { code: 'locked' } } })

    await expect(page.getByTestId('passphrase')).toBeFocused()
    await page.keyboard.type('not the passphrase')
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('unlock-error')).toHaveAttribute('data-code', 'wrong_passphrase')
    await expect(page.getByTestId('unlock-error')).toHaveText('That passphrase is not right.')

    await page.getByTestId('passphrase').fill(PASS)
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('count-decided')).toHaveAttribute('data-count', '1', { timeout: 20_000 })
    const decisions = await api<{ total: number; items: { clipId: string }[] }>(page, 'decision.list', {})
    expect(decisions).toMatchObject({ total: 1, items: [{ clipId }] })
  })
})

test.describe('the idle lock', () => {
  // A minute is long for a test, and the timer is the host's (Playwright's clock only
  // drives the page): the host's TINJAU_IDLE_LOCK_SECONDS fixes it at 3 s for this run.
  test.use({ idleLockSeconds: 3 })

  test('locks after the idle time with no input, says why, and opens again with the passphrase', async ({ tinjau }) => {
    webOnly()
    const { page } = tinjau
    await expect(page.getByTestId('load-demo')).toBeVisible({ timeout: 20_000 })
    // The settings show the idle time is the host's here.
    await page.getByTestId('open-lock-settings').click()
    await expect(page.getByTestId('lock-settings')).toContainText('fixed at 3 s')
    expect(await axeViolations(page, '[data-testid="lock-settings"]')).toEqual([])
    await page.keyboard.press('Escape')

    const lock = page.getByTestId('lock-screen')
    await expect(lock).toBeVisible({ timeout: 15_000 })
    await expect(lock).toContainText('after a while without activity')
    await page.getByTestId('passphrase').fill(E2E_PASSPHRASE)
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('load-demo')).toBeVisible({ timeout: 20_000 })
  })
})
