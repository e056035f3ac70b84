/**
 * Why section 4 of the console bench does not run in Playwright's browser: a page's renderer
 * memory over 1,400 fetches of a page of 200 queue rows (~76 kB of JSON each), with
 * DevTools' network domain off, then on (as Playwright has it for every page it drives).
 *
 *   npm run bench:network-domain   (builds first)
 *
 * Each run is a fresh Chromium driven over the DevTools pipe (bench/cdp-pipe.ts) against the
 * built web host, with 2,000 clips; PSS is read after a full garbage collection every 200
 * fetches. Prints; asserts nothing. BENCH_FETCHES (default 1400).
 */
import { rmSync, mkdirSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { openTinjau } from '../src/core/tinjau'
import { tempDir } from '../src/core/testing/make-pack'
import { launchOverPipe } from './cdp-pipe'
import { CHROMIUM, CHROMIUM_ARGS, startHost, writePack } from './console-host'
import { pageRenderer, rendererMemory, until } from './console-memory'
import { mb } from './figures'

const FETCHES = Number(process.env.BENCH_FETCHES ?? 1_400)
const ROWS = 200

async function run(url: string, networkDomain: boolean): Promise<void> {
  const secret = new URL(url).searchParams.get('k')
  const browser = await launchOverPipe(CHROMIUM, CHROMIUM_ARGS)
  try {
    const session = await browser.newPage(url)
    if (networkDomain) await browser.send('Network.enable', {}, session)
    await until(browser, session, `!!document.querySelector('[data-testid="queue-row"]')`, 30_000, 'no queue row')
    const pss = async () => {
      await browser.send('HeapProfiler.collectGarbage', {}, session)
      const r = pageRenderer(rendererMemory(browser.pid))
      return r ? mb(r.pssMb ?? r.rssMb) : 'no renderer'
    }
    const seen = [`0: ${await pss()}`]
    let bytes = 0
    for (let done = 0; done < FETCHES; ) {
      const n = Math.min(200, FETCHES - done)
      // Each fetch a different page of the queue, read to the end as the app reads it.
      bytes += (await browser.evaluate(
        session,
        `(async () => {
          let bytes = 0
          for (let i = 0; i < ${n}; i++) {
            const res = await fetch('/api/queue.list', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ${secret}' }, body: JSON.stringify({ limit: ${ROWS}, offset: ${done + 1} + i % 9 }) })
            bytes += (await res.text()).length
          }
          return bytes
        })()`,
      )) as number
      done += n
      seen.push(`${done}: ${await pss()}`)
    }
    console.log(`network domain ${networkDomain ? 'on ' : 'off'}: page renderer PSS after n fetches (${(bytes / FETCHES / 1e3).toFixed(1)} kB each): ${seen.join(', ')}`)
  } finally {
    await browser.close()
  }
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`)
  const scratch = tempDir('tinjau-network-domain-bench-')
  let host: Awaited<ReturnType<typeof startHost>> | null = null
  try {
    const packDir = path.join(scratch, 'pack')
    mkdirSync(packDir)
    writePack(packDir, 2_000)
    const dataDir = path.join(scratch, 'profile')
    const t = openTinjau({ dataDir, resourcesDir: path.resolve(__dirname, '..', 'resources'), host: 'web', version: 'bench' })
    await t.handlers['pack.importDirectory']({ path: packDir })
    t.close()
    host = await startHost(dataDir)
    await run(host.url, false)
    await run(host.url, true)
  } finally {
    if (host && host.child.exitCode === null) host.child.kill('SIGTERM')
    rmSync(scratch, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
