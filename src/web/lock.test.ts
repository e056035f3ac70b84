import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ScryptParams } from '../core/profile-crypto/profile-key-file'
import { ProfileSession } from '../core/profile-session'
import { makePack, tempDir } from '../core/testing/make-pack'
import { openTinjau } from '../core/tinjau'
import { startWebHost, type WebHost } from './web-host'

/**
 * The web host over a lockable profile: locked, every profile call and every media or
 * upload request is refused with `locked`; the lock's own methods answer; unlocking and
 * locking again keep what was decided.
 */

const CHEAP: ScryptParams = { N: 2 ** 10, r: 8, p: 1 }
const PASS = 'correct horse battery'

let cleanup: (() => Promise<void>) | null = null
afterEach(async () => {
  await cleanup?.()
  cleanup = null
})

async function lockedHost(): Promise<{ host: WebHost; base: string; call: (method: string, body?: unknown) => Promise<{ status: number; body: any }> }> {
  const base = tempDir('tinjau-web-lock-')
  const dataDir = path.join(base, 'data')
  const rendererDir = path.join(base, 'renderer')
  mkdirSync(rendererDir)
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
  const session = new ProfileSession({
    dataDir,
    scrypt: CHEAP,
    log: () => {},
    open: (keys) => openTinjau({ dataDir, resourcesDir: path.resolve('resources'), host: 'web', version: '0.0.0-test', keys }),
  })
  const host = await startWebHost({ session, rendererDir, log: () => {} })
  cleanup = async () => {
    await host.close()
    await session.close()
    rmSync(base, { recursive: true, force: true })
  }
  const call = async (method: string, body: unknown = {}) => {
    const res = await fetch(`${host.url}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${host.secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: await res.json() }
  }
  return { host, base, call }
}

/** Reads server-sent `profile.status` events into `seen`. */
async function followStatus(host: WebHost, seen: { state: string; lockedBy: string | null }[]): Promise<AbortController> {
  const controller = new AbortController()
  const res = await fetch(`${host.url}/api/events?k=${host.secret}`, { signal: controller.signal })
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let text = ''
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        text += decoder.decode(value, { stream: true })
        let end: number
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end)
          text = text.slice(end + 2)
          const m = /^event: profile\.status\ndata: (.*)$/m.exec(block)
          if (m) seen.push(JSON.parse(m[1]!))
        }
      }
    } catch {
      // aborted
    }
  })()
  return controller
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('the web host with a locked profile', () => {
  it('refuses profile calls, media and uploads while locked; the lock methods answer; unlock and lock again keep decisions', async () => {
    const { host, base, call } = await lockedHost()
    const seen: { state: string; lockedBy: string | null }[] = []
    const events = await followStatus(host, seen)

    expect(await call('profile.status')).toMatchObject({ status: 200, body: { ok: true, value: { state: 'new', canLock: true, hasPassphrase: false, minPassphraseLength: 8 } } })
    expect(await call('app.info')).toMatchObject({ status: 423, body: { ok: false, error: { code: 'locked' } } })
    const media = await fetch(`${host.url}/media/${'a'.repeat(64)}?k=${host.secret}`)
    expect(media.status).toBe(423)
    expect(((await media.json()) as { error: { code: string } }).error.code).toBe('locked')
    const upload = await fetch(`${host.url}/upload/pack`, { method: 'POST', headers: { Authorization: `Bearer ${host.secret}` }, body: 'zip' })
    expect(upload.status).toBe(423)

    // Bad payloads say what and where, and change nothing.
    const notText = await call('profile.unlock', { passphrase: 5 })
    expect(notText).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', details: [{ path: 'passphrase' }] } } })
    expect((await call('profile.unlock', {})).body.error.message).toMatch(/give either "passphrase" or "osStore": true/)
    expect((await call('profile.unlock', { passphrase: PASS, extra: 1 })).status).toBe(400)
    expect((await call('profile.unlock', { passphrase: 'short' })).body.error).toMatchObject({ code: 'invalid_input', message: /at least 8 characters/ })
    expect((await call('profile.status')).body.value.state).toBe('new')

    // Choose a passphrase: the profile is made, encrypted, and open.
    expect(await call('profile.unlock', { passphrase: PASS })).toMatchObject({ status: 200, body: { value: { state: 'unlocked', hasPassphrase: true } } })
    expect((await call('app.info')).status).toBe(200)
    expect((await call('pack.importDirectory', { path: makePack(1, { root: path.join(base, 'pack') }) })).status).toBe(200)
    expect((await call('decision.record', { clipId: 'clip-000000', categories: ['ok.news'], action: 'allow' })).status).toBe(200)

    expect(await call('profile.lock')).toMatchObject({ status: 200, body: { value: { state: 'locked', lockedBy: 'reviewer' } } })
    expect((await call('decision.list')).status).toBe(423)
    expect(await call('profile.unlock', { passphrase: 'wrong passphrase' })).toMatchObject({ status: 403, body: { error: { code: 'wrong_passphrase' } } })
    expect((await call('profile.status')).body.value).toMatchObject({ state: 'locked', failures: 1 })
    expect((await call('profile.unlock', { passphrase: PASS })).status).toBe(200)
    expect((await call('decision.list')).body.value).toMatchObject({ total: 1, items: [{ clipId: 'clip-000000', action: 'allow' }] })

    await until(() => seen.filter((s) => s.state === 'unlocked').length === 2)
    expect(seen.map((s) => s.state)).toEqual(['unlocking', 'unlocked', 'locked', 'unlocking', 'locked', 'unlocking', 'unlocked'])
    expect(seen[2]).toMatchObject({ lockedBy: 'reviewer' })
    events.abort()
  })

  it('a host handed an open profile answers profile.status and refuses to lock', async () => {
    const base = tempDir('tinjau-web-fixed-')
    const rendererDir = path.join(base, 'renderer')
    mkdirSync(rendererDir)
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>')
    const tinjau = openTinjau({ dataDir: path.join(base, 'data'), resourcesDir: path.resolve('resources'), host: 'web', version: '0.0.0-test' })
    const host = await startWebHost({ tinjau, rendererDir, log: () => {} })
    cleanup = async () => {
      await host.close()
      tinjau.close()
      rmSync(base, { recursive: true, force: true })
    }
    const call = (method: string) => fetch(`${host.url}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${host.secret}` } })
    expect(await (await call('profile.status')).json()).toMatchObject({ value: { state: 'unlocked', canLock: false } })
    const lock = await call('profile.lock')
    expect(lock.status).toBe(409)
    expect(((await lock.json()) as { error: { message: string } }).error.message).toMatch(/cannot lock or unlock it/)
    expect((await call('app.info')).status).toBe(200)
  })

  it('after three wrong passphrases the next try is refused with 429 and the wait, without trying it', async () => {
    const { call } = await lockedHost()
    await call('profile.unlock', { passphrase: PASS })
    await call('profile.lock')
    for (let i = 1; i <= 3; i++) expect((await call('profile.unlock', { passphrase: `wrong passphrase ${i}` })).status).toBe(403)
    const refused = await call('profile.unlock', { passphrase: PASS })
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'too_many_attempts', details: [{ path: 'retryInMs' }] } } })
    expect((await call('profile.status')).body.value).toMatchObject({ state: 'locked', failures: 3 })
    expect((await call('profile.status')).body.value.retryInMs).toBeGreaterThan(0)
  })
})
