/** Times taken inside the page, from an input event to the DOM state that answers it (bench:console, bench:console-hashing). */
import { performance } from 'node:perf_hooks'
import type { Page } from '@playwright/test'

/**
 * Installed in the page as text (tsx would wrap a function passed to page.evaluate in
 * helpers the page does not have). The clock starts at the next input event, in the
 * capture phase before the app sees it (pointer, key, or the input/change a select or text box
 * sends), and stops when `check(arg)` first holds, tested
 * on every DOM change and every frame.
 */
const INSTALL_TIMER = `(check, arg) => {
  const w = window
  w.__bench = { start: 0, end: null }
  const mark = () => { if (!w.__bench.start) w.__bench.start = performance.now() }
  window.addEventListener('keydown', mark, { capture: true, once: true })
  window.addEventListener('pointerdown', mark, { capture: true, once: true })
  // A select or text box set by Playwright sends no pointer or key event, only input/change.
  window.addEventListener('input', mark, { capture: true, once: true })
  window.addEventListener('change', mark, { capture: true, once: true })
  const test = () => {
    if (w.__bench.end === null && w.__bench.start && check(arg)) w.__bench.end = performance.now()
    return w.__bench.end !== null
  }
  const observer = new MutationObserver(() => { if (test()) observer.disconnect() })
  observer.observe(document.body, { subtree: true, childList: true, attributes: true })
  const poll = () => { if (!test()) requestAnimationFrame(poll) }
  requestAnimationFrame(poll)
}`

/** Ms from the input `act` sends until `done` (a function's source, given `arg`) holds in the page. */
export async function timeInPage(page: Page, act: () => Promise<void>, done: string, arg: unknown): Promise<number> {
  await page.evaluate(`(${INSTALL_TIMER})(${done}, ${JSON.stringify(arg)})`)
  await act()
  // Polled from here: waitForFunction evaluates its predicate with eval, which the app's CSP refuses.
  const deadline = performance.now() + 30_000
  while (!(await page.evaluate('window.__bench.end !== null'))) {
    if (performance.now() > deadline) {
      const state = await page.evaluate(
        `JSON.stringify({ timer: window.__bench, title: document.querySelector('[data-testid="clip-title"]')?.getAttribute('data-clip-id'), video: document.querySelector('[data-testid="clip-video"]')?.readyState, active: document.activeElement?.outerHTML.slice(0, 120) })`,
      )
      throw new Error(`timed out waiting for ${done} with ${JSON.stringify(arg)} (timer ${String(state)})`)
    }
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return (await page.evaluate('window.__bench.end - window.__bench.start')) as number
}
