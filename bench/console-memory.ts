/**
 * Section 4 of the console bench: renderer memory after scrolling the whole queue (issue 3:
 * under 300 MB with 100,000 clips).
 *
 * It runs in a Chromium of its own, driven over the DevTools pipe with no domain turned on
 * but Runtime's calls (bench/cdp-pipe.ts), not in Playwright's: Playwright turns on the
 * network domain, and with it on Chromium keeps every fetched response's body in the
 * renderer. `npm run bench:network-domain` shows the difference: the same 1,400
 * fetches of a page of rows, with the domain off and on (docs/performance.md).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { launchOverPipe, type PipeBrowser } from './cdp-pipe'
import { fmt, mb, verdict } from './figures'

/**
 * Installed in the page as text (tsx would wrap a function in helpers the page lacks).
 * Scrolls `.queue-vlist` down by one screen (its clientHeight) at a time, from where `window.__scroll` left off, and after
 * each step waits, frame by frame, until the step has been answered: the list has moved
 * its rendered range (the first or last rendered data-index changed, so rows that overscan
 * had already rendered do not count as an answer) and every row on screen at the new
 * position is a loaded row (data-testid="queue-row" with that data-index, not a "loading"
 * placeholder). Counts, beside each step's time, the steps answered after their first frame
 * (late), those with a frame showing a placeholder or no row on screen (blank) and those
 * after which scrollTop was not where the step put it (moved). Returns after `budgetMs`,
 * when the last row is on screen, or when one step has waited 30 s, so Node can print
 * progress and give up on a stuck list.
 */
const SCROLL_STEPS = `(budgetMs) => new Promise((resolve) => {
  const s = window.__scroll
  const box = document.querySelector('.queue-vlist')
  const t0 = performance.now()
  const rendered = () => {
    const li = box.querySelectorAll('li[data-index]')
    return li.length ? li[0].dataset.index + '-' + li[li.length - 1].dataset.index : ''
  }
  const loaded = (a, b) => {
    for (let i = a; i <= b; i++) if (!box.querySelector('[data-testid="queue-row"][data-index="' + i + '"]')) return false
    return true
  }
  const step = () => {
    if (s.done || s.error || performance.now() - t0 > budgetMs) return resolve(null)
    const before = rendered()
    const max = box.scrollHeight - box.clientHeight
    s.top = Math.min(max, s.top + box.clientHeight)
    const a = Math.floor(s.top / s.rowHeight)
    const b = Math.min(s.total - 1, Math.floor((s.top + box.clientHeight - 1) / s.rowHeight))
    const started = performance.now()
    let frames = 0
    let late = false
    let blank = false
    box.scrollTop = s.top
    const check = () => {
      frames++
      const moved = rendered() !== before
      const ready = loaded(a, b)
      if (frames === 1 && !moved) late = true
      if (!ready) blank = true
      if (moved && ready) {
        s.stepMs.push(performance.now() - started)
        if (late) s.late++
        if (blank) s.blank++
        if (Math.abs(box.scrollTop - s.top) >= 1) {
          if (s.movedSamples.length < 5) s.movedSamples.push(s.top + ' -> ' + box.scrollTop)
          s.moved++
        }
        s.steps++
        s.lastIndex = b
        if (b === s.total - 1) s.done = true
        return step()
      }
      if (performance.now() - started > 30000) {
        const shown = []
        for (let i = a; i <= b; i++) {
          const li = box.querySelector('li[data-index="' + i + '"]')
          shown.push(i + ':' + (!li ? 'absent' : li.dataset.clipId ? 'row' : 'placeholder'))
        }
        const alert = document.querySelector('[role="alert"]')
        s.error = 'rows ' + a + '-' + b + ' not rendered 30 s after scrollTop=' + s.top + ' (rendered ' + rendered() + ', on screen ' + shown.join(' ') + ', scrollTop now ' + box.scrollTop + (alert ? ', alert: ' + alert.textContent.slice(0, 200) : '') + ')'
        return resolve(null)
      }
      requestAnimationFrame(check)
    }
    // The scroll event runs before the next frame's callbacks; the list's render runs in it
    // if the list renders synchronously, or after the callbacks if React schedules it (then
    // the first check sees the old range, counted as late: overscan still covers the screen).
    requestAnimationFrame(check)
  }
  step()
})`


interface ScrollState {
  top: number
  steps: number
  /** Steps whose first frame still had the old rendered range (the list not yet caught up). */
  late: number
  /** Steps with a frame where a row on screen was a placeholder or not in the DOM. */
  blank: number
  /** Steps after which scrollTop was not where the step put it (something else scrolled the list). */
  moved: number
  movedSamples: string[]
  lastIndex: number
  done: boolean
  error: string | null
  stepMs: number[]
}

export interface ProcessMemory {
  pid: number
  rssMb: number
  /** Null where the kernel has no Pss line in smaps_rollup. */
  pssMb: number | null
  /** PSS split into anonymous memory (heaps), file mappings (code, fonts) and shared memory (tiles and buffers shared with the browser), where given. */
  pssSplit: { anon: number; file: number; shmem: number } | null
}

/** V8's heap in the page after a full garbage collection, in MB (decimal, like the target). */
async function jsHeapMb(browser: PipeBrowser, session: string): Promise<{ used: number; total: number }> {
  await browser.send('HeapProfiler.collectGarbage', {}, session)
  await browser.send('Performance.enable', {}, session)
  const { metrics } = (await browser.send('Performance.getMetrics', {}, session)) as { metrics: { name: string; value: number }[] }
  const metric = (name: string) => (metrics.find((m) => m.name === name)?.value ?? NaN) / 1e6
  return { used: metric('JSHeapUsedSize'), total: metric('JSHeapTotalSize') }
}

/**
 * Besides the page's renderer Chromium runs others (a spare for the next tab, its own UI's);
 * they hold no page of ours, so the page's is the largest.
 */
export const pageRenderer = (rs: ProcessMemory[]) => rs.reduce<ProcessMemory | null>((big, r) => (big && big.rssMb >= r.rssMb ? big : r), null)

/**
 * The renderer processes of the browser whose process is `browserPid`, with their memory:
 * its descendants (browser, then zygote, then renderer) whose command line has
 * --type=renderer, found by walking /proc. PSS shares the pages a renderer has in common
 * with the zygote and its sibling processes among them; RSS counts them in full in each.
 * Sizes are in decimal MB (10^6 bytes), the stricter reading of the target.
 */
export function rendererMemory(browserPid: number): ProcessMemory[] {
  const parent = new Map<number, number>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ")".
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
    } catch {
      // The process ended while we looked.
    }
  }
  const ofBrowser = (pid: number) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) if (p === browserPid) return true
    return false
  }
  const out: ProcessMemory[] = []
  for (const pid of parent.keys()) {
    if (!ofBrowser(pid)) continue
    try {
      // Chromium rewrites a child's command line as one space-separated string, so match words.
      // Its own UI's renderer (--top-chrome-webui, headless or not) is not the page's.
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (!/(^|[\s\0])--type=renderer([\s\0]|$)/.test(cmdline) || /--top-chrome-webui|--extension-process/.test(cmdline)) continue
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8')
      const kb = (field: string) => {
        const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)
        return m ? Number(m[1]) : null
      }
      const toMb = (k: number | null) => (k === null ? null : (k * 1024) / 1e6)
      const [anon, file, shmem] = [toMb(kb('Pss_Anon')), toMb(kb('Pss_File')), toMb(kb('Pss_Shmem'))]
      out.push({
        pid,
        rssMb: toMb(kb('Rss')) ?? NaN,
        pssMb: toMb(kb('Pss')),
        pssSplit: anon === null || file === null || shmem === null ? null : { anon, file, shmem },
      })
    } catch {
      // Ended, or not ours to read.
    }
  }
  return out.sort((a, b) => a.pid - b.pid)
}

/** Polls `expression` in the page until it is true, for up to `ms`. */
export async function until(browser: PipeBrowser, session: string, expression: string, ms: number, what: string): Promise<void> {
  for (const deadline = performance.now() + ms; ; ) {
    // Evaluating while the page navigates can fail (its context goes away): try again.
    if ((await browser.evaluate(session, expression).catch(() => false)) === true) return
    if (performance.now() > deadline) throw new Error(`${what} (not within ${ms / 1000} s)`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

export interface MemoryOptions {
  chromium: string
  chromiumArgs: string[]
  clips: number
  targetMb: number
}

/**
 * Opens the app at `url` (a running web host) in a new browser, opens the first clip as a
 * reviewer would, shows every clip with no filter, scrolls the list from the top to row
 * `clips - 1` a screen at a time, and prints the page's renderer memory before and after.
 */
export async function scrollAndMeasure(url: string, o: MemoryOptions): Promise<void> {
  const browser = await launchOverPipe(o.chromium, o.chromiumArgs)
  try {
    const session = await browser.newPage(url)
    const evaluate = (expression: string) => browser.evaluate(session, expression)
    await until(browser, session, `!!document.querySelector('[data-testid="queue-row"]')`, 30_000, 'section 4: no queue row')
    // A clip open, playing its media, as during a reviewer's work; then every status with no
    // other filter (a fresh tab has none), so the list holds all the clips.
    await evaluate(`document.querySelector('[data-testid="queue-row"]').click()`)
    await until(browser, session, `(document.querySelector('[data-testid="clip-video"]')?.readyState ?? 0) >= 3`, 30_000, 'section 4: the first clip did not load its video')
    await evaluate(`document.querySelector('[data-testid="filter-all"]').click()`)
    // Polled until the total is every clip and row 0 is loaded; scrollTop is set to 0 as well,
    // so the scroll starts at the top whatever the view change did.
    await until(
      browser,
      session,
      `(() => {
        const box = document.querySelector('.queue-vlist')
        box.scrollTop = 0
        return document.querySelector('[data-testid="queue-total"]')?.getAttribute('data-total') === '${o.clips}' && !!box.querySelector('[data-testid="queue-row"][data-index="0"]')
      })()`,
      30_000,
      `section 4: the queue did not show all ${o.clips} clips from the top`,
    )
    const memory = async () => ({ heap: await jsHeapMb(browser, session), renderers: rendererMemory(browser.pid) })
    const before = await memory()
    // The pages of rows fetched during the scroll, and their bodies' size, counted in the page.
    const geometry = (await evaluate(`(() => {
      const box = document.querySelector('.queue-vlist')
      const rowHeight = box.querySelector('[data-testid="queue-row"]').getBoundingClientRect().height
      window.__fetched = { pages: 0, bytes: 0 }
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (e.name.includes('/api/queue.list')) { window.__fetched.pages++; window.__fetched.bytes += e.decodedBodySize }
      }).observe({ type: 'resource' })
      window.__scroll = { top: 0, rowHeight, total: ${o.clips}, steps: 0, late: 0, blank: 0, moved: 0, movedSamples: [], lastIndex: 0, done: false, error: null, stepMs: [] }
      return { rowHeight, screen: box.clientHeight }
    })()`)) as { rowHeight: number; screen: number }
    const progress = async () => (await evaluate('(({ stepMs, ...rest }) => rest)(window.__scroll)')) as Omit<ScrollState, 'stepMs'>
    const scroll0 = performance.now()
    let progressAt = scroll0
    let scroll = await progress()
    while (!scroll.done && !scroll.error) {
      // A couple of seconds of steps per call: the steps run in the page, a frame or more
      // each, so the protocol's round trip is paid once per call, not once per step.
      await evaluate(`(${SCROLL_STEPS})(2000)`)
      scroll = await progress()
      if (performance.now() - progressAt > 60_000) {
        progressAt = performance.now()
        console.log(`   … row ${scroll.lastIndex} of ${o.clips} on screen after ${((progressAt - scroll0) / 1000).toFixed(0)} s`)
      }
    }
    const scrollMs = performance.now() - scroll0
    const stepMs = (await evaluate('window.__scroll.stepMs')) as number[]
    const lastRow = (await evaluate(`document.querySelector('[data-testid="queue-row"][data-index="${o.clips - 1}"]')?.getAttribute('data-clip-id') ?? null`)) as string | null
    const fetched = (await evaluate('window.__fetched')) as { pages: number; bytes: number }
    const after = await memory()

    // All renderers are printed, the page's first.
    const describe = (m: Awaited<ReturnType<typeof memory>>) => {
      const r = pageRenderer(m.renderers)
      const others = m.renderers.filter((x) => x !== r)
      return (
        `JS heap used ${mb(m.heap.used)} of ${mb(m.heap.total)}; ` +
        (r
          ? `renderer pid ${r.pid} PSS ${r.pssMb === null ? 'n/a' : mb(r.pssMb)}` +
            (r.pssSplit ? ` (anon ${mb(r.pssSplit.anon)}, file ${mb(r.pssSplit.file)}, shmem ${mb(r.pssSplit.shmem)})` : '') +
            `, RSS ${mb(r.rssMb)}`
          : 'no renderer process found') +
        (others.length ? ` (other renderers: ${others.map((x) => `pid ${x.pid} PSS ${x.pssMb === null ? 'n/a' : mb(x.pssMb)}, RSS ${mb(x.rssMb)}`).join('; ')})` : '')
      )
    }
    const r = pageRenderer(after.renderers)
    const figure = r ? (r.pssMb ?? r.rssMb) : NaN
    const which = r && r.pssMb === null ? 'RSS (no PSS from this kernel)' : 'PSS'
    const through = scroll.done ? `rows 0 to ${scroll.lastIndex} (last row ${lastRow ?? 'not rendered'})` : `rows 0 to ${scroll.lastIndex} only: ${scroll.error}`
    console.log(
      `4. renderer memory after scrolling the whole queue: ${r ? `${which} ${mb(figure)}` : 'no renderer process found'}  (target < ${o.targetMb} MB: ${r && scroll.done ? verdict(figure < o.targetMb) : 'NOT MEASURED'})`,
    )
    console.log('   in a Chromium driven over the DevTools pipe with no network domain, as a reviewer\'s window has none (bench/cdp-pipe.ts)')
    console.log(`   scrolled ${through} in ${scroll.steps} steps of one screen (${geometry.screen} px, ${(geometry.screen / geometry.rowHeight).toFixed(1)} rows) in ${(scrollMs / 1000).toFixed(1)} s`)
    console.log(`   each step, from setting scrollTop to the frame where the list had moved and the rows on screen were loaded: ${fmt(stepMs)}`)
    console.log(
      `   steps whose first frame still had the old rendered range: ${scroll.late}; steps with a placeholder (or no row) on screen for a frame or more: ${scroll.blank}; steps after which scrollTop was not where the step put it: ${scroll.moved}${scroll.moved ? ` (first: ${scroll.movedSamples.join(', ')})` : ''}`,
    )
    console.log(`   before the scroll: ${describe(before)}`)
    console.log(`   after the scroll:  ${describe(after)}`)
    console.log(`   during the scroll the list fetched ${fetched.pages} pages of rows, ${mb(fetched.bytes / 1e6)} of JSON`)
  } finally {
    await browser.close()
  }
}
