/**
 * Chromium driven over the DevTools protocol on its own pipe (--remote-debugging-pipe: the
 * browser reads commands from fd 3 and writes replies and events to fd 4, each message JSON
 * ended by a NUL byte), with no domain turned on unless the caller asks.
 *
 * Why not Playwright for this: Playwright turns on the network domain for every page it
 * drives, and while it is on Chromium keeps the bodies of the page's responses in the
 * renderer (up to a cap of its own), so a renderer's memory after thousands of fetches is
 * then mostly DevTools' bookkeeping. A reviewer's browser or Electron window has no DevTools
 * attached. Bench-only: nothing in the app uses this.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Readable, Writable } from 'node:stream'

interface Pending {
  resolve: (result: Record<string, unknown>) => void
  reject: (err: Error) => void
  method: string
}

export interface PipeBrowser {
  /** The browser's process: its descendants are its renderers. */
  readonly pid: number
  /** A command to the browser (no session) or to a page's session. */
  send(method: string, params?: Record<string, unknown>, sessionId?: string): Promise<Record<string, unknown>>
  /** A new tab at `url`, attached: its session id. */
  newPage(url: string): Promise<string>
  /** Evaluates `expression` in the page (awaiting a promise it gives) and returns its value. */
  evaluate(sessionId: string, expression: string): Promise<unknown>
  close(): Promise<void>
}

/**
 * What Playwright's launch adds that bears on a page's speed or memory, so the two browsers
 * differ only in the network domain: without the first three a headless tab counts as
 * hidden and its frames are throttled (the scroll went at ~3,500 rows a minute instead of
 * ~7,100).
 */
const LIKE_PLAYWRIGHT = [
  '--disable-renderer-backgrounding',
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-dev-shm-usage',
  '--hide-scrollbars',
  '--mute-audio',
  '--window-size=1280,720',
]

export async function launchOverPipe(executable: string, args: string[]): Promise<PipeBrowser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'tinjau-bench-chromium-'))
  const child: ChildProcess = spawn(executable, [...args, ...LIKE_PLAYWRIGHT, '--headless', '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
  })
  const toBrowser = child.stdio[3] as Writable
  const fromBrowser = child.stdio[4] as Readable
  let stderr = ''
  child.stderr!.on('data', (d) => void (stderr = (stderr + String(d)).slice(-4000)))

  const pending = new Map<number, Pending>()
  let nextId = 1
  let buffered = ''
  fromBrowser.setEncoding('utf8')
  fromBrowser.on('data', (chunk: string) => {
    buffered += chunk
    for (let end = buffered.indexOf('\0'); end >= 0; end = buffered.indexOf('\0')) {
      const message = JSON.parse(buffered.slice(0, end)) as { id?: number; result?: Record<string, unknown>; error?: { message: string } }
      buffered = buffered.slice(end + 1)
      if (message.id === undefined) continue // an event: nothing here listens to any
      const waiting = pending.get(message.id)
      if (!waiting) continue
      pending.delete(message.id)
      if (message.error) waiting.reject(new Error(`${waiting.method}: ${message.error.message}`))
      else waiting.resolve(message.result ?? {})
    }
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  void exited.then(() => {
    for (const p of pending.values()) p.reject(new Error(`chromium exited during ${p.method}: ${stderr.trim().split('\n').pop() ?? ''}`))
    pending.clear()
  })

  const send: PipeBrowser['send'] = (method, params = {}, sessionId) =>
    new Promise((resolve, reject) => {
      const id = nextId++
      pending.set(id, { resolve, reject, method })
      toBrowser.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0')
    })

  const evaluate: PipeBrowser['evaluate'] = async (sessionId, expression) => {
    const reply = (await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId)) as {
      result: { value?: unknown }
      exceptionDetails?: { text: string; exception?: { description?: string } }
    }
    if (reply.exceptionDetails) throw new Error(`in the page: ${reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text}`)
    return reply.result.value
  }

  // The browser answers once it is up; a failed start shows as the process exiting first.
  await Promise.race([send('Browser.getVersion'), exited.then(() => Promise.reject(new Error(`chromium did not start: ${stderr.trim()}`)))])

  return {
    pid: child.pid!,
    send,
    evaluate,
    async newPage(url) {
      const { targetId } = (await send('Target.createTarget', { url: 'about:blank' })) as { targetId: string }
      const { sessionId } = (await send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string }
      // Playwright's default viewport, set as Playwright sets it (a headless window's size
      // leaves a smaller page than the size asked for).
      await send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 720, deviceScaleFactor: 1, mobile: false }, sessionId)
      await send('Page.navigate', { url }, sessionId)
      return sessionId
    },
    async close() {
      if (child.exitCode === null) {
        void send('Browser.close').catch(() => undefined)
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000)
        await exited
        clearTimeout(killer)
      }
      rmSync(profile, { recursive: true, force: true })
    },
  }
}
