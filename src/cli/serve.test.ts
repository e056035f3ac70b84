import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from '../core/testing/make-pack'
import { ensureTestProfileKey, TEST_PASSPHRASE } from '../core/testing/test-profile-key'
import { main } from './program'

describe('tinjau serve', () => {
  it('prints the URL line, serves the API with the secret, and stops on signal', async () => {
    const base = tempDir('tinjau-serve-')
    const rendererDir = path.join(base, 'renderer')
    mkdirSync(rendererDir)
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>')
    const stop = new AbortController()
    let stdout = ''
    let stderr = ''
    await ensureTestProfileKey(path.join(base, 'data'))
    const done = main(['serve', '--data-dir', path.join(base, 'data'), '--port', '0'], {
      stdout: (t) => void (stdout += t),
      stderr: (t) => void (stderr += t),
      env: { TINJAU_PASSPHRASE: TEST_PASSPHRASE },
      signal: stop.signal,
      rendererDir,
    })
    const deadline = Date.now() + 5000
    while (!stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))

    const m = /^Tinjau web host: (http:\/\/127\.0\.0\.1:\d+)\/\?k=([A-Za-z0-9_-]{43})\n$/.exec(stdout)
    expect(m, stdout + stderr).not.toBeNull()
    const [, url, secret] = m!
    const ok = await fetch(`${url}/api/app.info`, { method: 'POST', headers: { Authorization: `Bearer ${secret}` } })
    expect(ok.status).toBe(200)
    expect((await ok.json()).value.dataDir).toBe(path.join(base, 'data'))
    expect((await fetch(`${url}/api/app.info`, { method: 'POST' })).status).toBe(401)

    stop.abort()
    expect(await done).toBe(0)
    await expect(fetch(`${url}/`)).rejects.toThrow()
    rmSync(base, { recursive: true, force: true })
  })

  /** `tinjau serve` on a fresh folder with `env`; resolves to the URL and secret once the host prints them. */
  async function serve(env: Record<string, string>) {
    const base = tempDir('tinjau-serve-')
    const rendererDir = path.join(base, 'renderer')
    mkdirSync(rendererDir)
    writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>')
    const dataDir = path.join(base, 'data')
    await ensureTestProfileKey(dataDir)
    const stop = new AbortController()
    const out = { stdout: '', stderr: '' }
    const done = main(['serve', '--data-dir', dataDir, '--port', '0'], {
      stdout: (t) => void (out.stdout += t),
      stderr: (t) => void (out.stderr += t),
      env,
      signal: stop.signal,
      rendererDir,
    })
    const deadline = Date.now() + 5000
    while (!out.stdout.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    const m = /^Tinjau web host: (http:\/\/127\.0\.0\.1:\d+)\/\?k=([A-Za-z0-9_-]{43})\n$/.exec(out.stdout)
    const call = async (method: string, body: unknown = {}) => {
      const res = await fetch(`${m![1]}/api/${method}`, { method: 'POST', headers: { Authorization: `Bearer ${m![2]}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      return { status: res.status, body: (await res.json()) as { ok: boolean; value?: { state?: string }; error?: { code: string } } }
    }
    return { m, call, out, stop, done, base }
  }

  it('without TINJAU_PASSPHRASE the host starts locked: profile calls get 423 until the lock screen unlocks it, and Lock locks it again', async () => {
    const { m, call, out, stop, done, base } = await serve({})
    expect(m, out.stdout + out.stderr).not.toBeNull()
    expect(await call('profile.status')).toMatchObject({ status: 200, body: { ok: true, value: { state: 'locked', canLock: true } } })
    expect(await call('app.info')).toMatchObject({ status: 423, body: { ok: false, error: { code: 'locked' } } })
    expect(await call('profile.unlock', { passphrase: 'not the passphrase' })).toMatchObject({ body: { ok: false, error: { code: 'wrong_passphrase' } } })
    expect(await call('profile.unlock', { passphrase: TEST_PASSPHRASE })).toMatchObject({ status: 200, body: { ok: true, value: { state: 'unlocked' } } })
    expect(await call('app.info')).toMatchObject({ status: 200, body: { ok: true } })
    expect(await call('profile.lock')).toMatchObject({ status: 200, body: { ok: true, value: { state: 'locked' } } })
    expect(await call('app.info')).toMatchObject({ status: 423 })
    stop.abort()
    expect(await done).toBe(0)
    rmSync(base, { recursive: true, force: true })
  })

  it('a wrong TINJAU_PASSPHRASE stops it with exit 4, saying why', async () => {
    const { out, done, base } = await serve({ TINJAU_PASSPHRASE: 'not the passphrase' })
    expect(await done).toBe(4)
    expect(out.stderr).toMatch(/^tinjau: TINJAU_PASSPHRASE does not unlock the profile in .*: the passphrase is not right/)
    rmSync(base, { recursive: true, force: true })
  })

  it('refuses a bad port with exit 2', async () => {
    let stderr = ''
    const code = await main(['serve', '--port', 'eighty'], { stdout: () => {}, stderr: (t) => void (stderr += t), env: {}, rendererDir: '/nonexistent' })
    expect(code).toBe(2)
    expect(stderr).toBe('tinjau: --port: "eighty" is not a port number (0-65535; 0 picks a free one)\n')
  })
})
