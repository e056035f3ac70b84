import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openTinjau, type Tinjau } from '../core/tinjau'
import { tempDir } from '../core/testing/make-pack'
import { ProfileSession } from '../core/profile-session'
import { OPEN_FALLBACK_MS, serveUntilShutdown, type ServeOptions } from './launch'

/**
 * The host announces its URL before the profile is open (the browser loads the renderer
 * meanwhile): calls made in that window wait for the profile, and a profile that cannot
 * be opened stops the host with its error.
 */

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

function rendererAndData(): { rendererDir: string; dataDir: string } {
  const base = tempDir('tinjau-launch-')
  dirs.push(base)
  const rendererDir = path.join(base, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
  mkdirSync(path.join(rendererDir, 'assets'))
  writeFileSync(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  return { rendererDir, dataDir: path.join(base, 'data') }
}

/** An opener of a real profile in `dataDir` that records when it was first asked, and how often. */
function recordingOpener(dataDir: string): { opener: () => Promise<Tinjau>; seen: { at: number | null; count: number } } {
  const seen = { at: null as number | null, count: 0 }
  const opener = async () => {
    seen.count++
    seen.at ??= Date.now()
    return openTinjau({ dataDir, resourcesDir: path.resolve('resources'), host: 'web', version: '0.0.0-test' })
  }
  return { opener, seen }
}

/** Polls `done` every 5 ms for up to `ms`. */
async function within(ms: number, done: () => boolean): Promise<void> {
  const deadline = Date.now() + ms
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5))
}

/** The host started as web.js starts it; `stop` stops it and waits for it to have closed. */
async function serving(opts: Pick<ServeOptions, 'tinjau' | 'rendererDir' | 'warm'>): Promise<{ url: string; secret: string; stop: () => Promise<void> }> {
  const lines: string[] = []
  const abort = new AbortController()
  const done = serveUntilShutdown({ ...opts, port: 0, print: (l) => lines.push(l), abort: abort.signal })
  const { url, secret } = await untilLine(lines)
  return {
    url,
    secret,
    stop: async () => {
      abort.abort()
      await done
    },
  }
}

async function untilLine(lines: string[]): Promise<{ url: string; secret: string }> {
  const deadline = Date.now() + 5000
  while (lines.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
  const m = /^Tinjau web host: (http:\/\/127\.0\.0\.1:\d+)\/\?k=(\S+)$/.exec(lines[0] ?? '')
  if (!m) throw new Error(`no URL line: ${JSON.stringify(lines)}`)
  return { url: m[1]!, secret: m[2]! }
}

describe('serveUntilShutdown with a profile still opening', () => {
  it('prints the URL first, serves the page at once, and answers calls once the profile is open', async () => {
    const { rendererDir, dataDir } = rendererAndData()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    let opened: Tinjau | null = null
    let closed = false
    const opener = async () => {
      await gate
      const t = openTinjau({ dataDir, resourcesDir: path.resolve('resources'), host: 'web', version: '0.0.0-test' })
      opened = t
      const close = t.close.bind(t)
      t.close = () => {
        closed = true
        close()
      }
      return t
    }
    const { url, secret, stop } = await serving({ tinjau: opener, rendererDir })
    expect(opened).toBeNull()

    // The renderer is served while the profile is not open.
    expect((await fetch(`${url}/`)).status).toBe(200)
    // A call made now waits for it.
    let answered = false
    const call = fetch(`${url}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${secret}` } }).then((r) => {
      answered = true
      return r
    })
    await new Promise((r) => setTimeout(r, 100))
    expect(answered).toBe(false)
    release()
    const res = await call
    expect(res.status).toBe(200)
    expect(((await res.json()) as { value: { dataDir: string } }).value.dataDir).toBe(dataDir)

    await stop()
    expect(closed).toBe(true)
    await expect(fetch(`${url}/`)).rejects.toThrow()
  })

  it('stops the host and rejects with the error when the profile cannot be opened; waiting calls get a 503 that says why', async () => {
    const { rendererDir } = rendererAndData()
    let fail!: (err: Error) => void
    const opener = () => new Promise<Tinjau>((_, reject) => (fail = reject))
    const lines: string[] = []
    const done = serveUntilShutdown({ tinjau: opener, rendererDir, port: 0, print: (l) => lines.push(l) })
    const outcome = done.then(
      () => null,
      (err: unknown) => err,
    )
    const { url, secret } = await untilLine(lines)
    const call = fetch(`${url}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${secret}` } })
    await new Promise((r) => setTimeout(r, 50))
    fail(new Error('the profile is locked by another Tinjau'))
    const res = await call
    expect(res.status).toBe(503)
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/could not be opened: the profile is locked/)
    expect(await outcome).toEqual(new Error('the profile is locked by another Tinjau'))
    await expect(fetch(`${url}/`)).rejects.toThrow()
  })

  it('opens the profile once the renderer\'s code has been sent, not while it is still being sent', async () => {
    const { rendererDir, dataDir } = rendererAndData()
    // Bigger than the socket buffers on the way, so the response cannot finish unread.
    writeFileSync(path.join(rendererDir, 'assets', 'big.js'), Buffer.alloc(16 * 1024 * 1024, 0x20))
    const { opener, seen } = recordingOpener(dataDir)
    const { url, stop } = await serving({ tinjau: opener, rendererDir })
    expect(await (await fetch(`${url}/`)).text()).toContain('<title>')
    await new Promise((r) => setTimeout(r, 200))
    expect(seen.at).toBeNull() // the page alone does not open it
    const res = await fetch(`${url}/assets/big.js`)
    expect(res.status).toBe(200)
    await new Promise((r) => setTimeout(r, 200))
    expect(seen.at).toBeNull() // asked for, but most of it not yet read out
    const sentAt = Date.now()
    expect((await res.arrayBuffer()).byteLength).toBe(16 * 1024 * 1024)
    await within(1000, () => seen.at !== null)
    expect(seen.at).not.toBeNull()
    expect(seen.at! - sentAt).toBeLessThan(1000) // well before the fallback
    await stop()
  })

  it('a call made while the code is being sent opens the profile only once the code is out, and is answered then', async () => {
    const { rendererDir, dataDir } = rendererAndData()
    writeFileSync(path.join(rendererDir, 'assets', 'big.js'), Buffer.alloc(16 * 1024 * 1024, 0x20))
    const { opener, seen } = recordingOpener(dataDir)
    const { url, secret, stop } = await serving({ tinjau: opener, rendererDir })
    const code = await fetch(`${url}/assets/big.js`)
    const call = fetch(`${url}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${secret}` } })
    await new Promise((r) => setTimeout(r, 300))
    expect(seen.at).toBeNull() // the call came, but the code is still on its way
    const sentAt = Date.now()
    expect((await code.arrayBuffer()).byteLength).toBe(16 * 1024 * 1024)
    const res = await call
    expect(res.status).toBe(200)
    expect(seen.at).not.toBeNull()
    expect(seen.at!).toBeGreaterThanOrEqual(sentAt)
    await stop()
  })

  it('a call with no code being sent opens the profile at once (after the short wait for the code to be asked for)', async () => {
    const { rendererDir, dataDir } = rendererAndData()
    const { opener, seen } = recordingOpener(dataDir)
    const { url, secret, stop } = await serving({ tinjau: opener, rendererDir })
    const res = await fetch(`${url}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${secret}` } })
    expect(res.status).toBe(200)
    expect(seen.count).toBe(1)
    await stop()
  })

  it('opens it after a while when no browser comes, and a stop before that opens nothing', async () => {
    const { rendererDir, dataDir } = rendererAndData()
    const { opener, seen } = recordingOpener(dataDir)
    const first = await serving({ tinjau: opener, rendererDir })
    await first.stop()
    expect(seen.count).toBe(0)

    const second = await serving({ tinjau: opener, rendererDir })
    await new Promise((r) => setTimeout(r, OPEN_FALLBACK_MS + 300))
    expect(seen.count).toBe(1)
    await second.stop()
  })

  it('with warm: opens the profile as soon as the code is loaded when no request has come yet', async () => {
    const { rendererDir, dataDir } = rendererAndData()
    const { opener, seen } = recordingOpener(dataDir)
    let warmed!: () => void
    const warmDone = new Promise<void>((r) => (warmed = r))
    const { stop } = await serving({ tinjau: opener, rendererDir, warm: () => warmDone })
    await new Promise((r) => setTimeout(r, 100))
    expect(seen.at).toBeNull() // still loading the code
    const loadedAt = Date.now()
    warmed()
    await within(1000, () => seen.at !== null)
    expect(seen.at).not.toBeNull()
    expect(seen.at! - loadedAt).toBeLessThan(OPEN_FALLBACK_MS / 2) // not the fallback
    await stop()
  })

  it('with warm: a page that came before the code loaded still has its code sent before the profile opens', async () => {
    const { rendererDir, dataDir } = rendererAndData()
    writeFileSync(path.join(rendererDir, 'assets', 'big.js'), Buffer.alloc(16 * 1024 * 1024, 0x20))
    const { opener, seen } = recordingOpener(dataDir)
    let warmed!: () => void
    const warmDone = new Promise<void>((r) => (warmed = r))
    const { url, stop } = await serving({ tinjau: opener, rendererDir, warm: () => warmDone })
    const code = await fetch(`${url}/assets/big.js`)
    warmed()
    await new Promise((r) => setTimeout(r, 200))
    expect(seen.at).toBeNull() // the code loaded, but a page is loading: its code first
    const sentAt = Date.now()
    expect((await code.arrayBuffer()).byteLength).toBe(16 * 1024 * 1024)
    await within(1000, () => seen.at !== null)
    expect(seen.at).not.toBeNull()
    expect(seen.at!).toBeGreaterThanOrEqual(sentAt)
    await stop()
  })
})

describe('serveUntilShutdown with a lockable profile', () => {
  const CHEAP = { N: 2 ** 10, r: 8, p: 1 }
  const lockable = (dataDir: string, openAllowed: Promise<void>) =>
    new ProfileSession({
      dataDir,
      scrypt: CHEAP,
      log: () => {},
      open: async (keys) => {
        await openAllowed
        return openTinjau({ dataDir, resourcesDir: path.resolve('resources'), host: 'web', version: '0.0.0-test', keys })
      },
    })

  it('unlocked at start (TINJAU_PASSPHRASE): calls wait for it and are answered', async () => {
    const { rendererDir, dataDir } = rendererAndData()
    const lines: string[] = []
    const abort = new AbortController()
    const done = serveUntilShutdown({
      session: (openAllowed) => {
        const session = lockable(dataDir, openAllowed)
        return { session, starting: session.start({ passphrase: 'correct horse battery' }, true) }
      },
      rendererDir,
      port: 0,
      print: (l) => lines.push(l),
      abort: abort.signal,
    })
    const { url, secret } = await untilLine(lines)
    const res = await fetch(`${url}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${secret}` } })
    expect(res.status).toBe(200)
    abort.abort()
    await done
  })

  it('a wrong passphrase at start stops the host with that error', async () => {
    const { rendererDir, dataDir } = rendererAndData()
    const first = lockable(dataDir, Promise.resolve())
    await first.unlock({ passphrase: 'correct horse battery' })
    await first.close()
    const lines: string[] = []
    const done = serveUntilShutdown({
      session: (openAllowed) => {
        const session = lockable(dataDir, openAllowed)
        return { session, starting: session.start({ passphrase: 'not the passphrase' }, true) }
      },
      rendererDir,
      port: 0,
      print: (l) => lines.push(l),
    })
    await expect(done).rejects.toMatchObject({ code: 'wrong_passphrase' })
  })

  it('without a start-up unlock the host runs locked until a stop', async () => {
    const { rendererDir, dataDir } = rendererAndData()
    const lines: string[] = []
    const abort = new AbortController()
    const done = serveUntilShutdown({ session: (openAllowed) => ({ session: lockable(dataDir, openAllowed) }), rendererDir, port: 0, print: (l) => lines.push(l), abort: abort.signal })
    const { url, secret } = await untilLine(lines)
    const res = await fetch(`${url}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${secret}` } })
    expect(res.status).toBe(423)
    abort.abort()
    await done
  })
})
