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

  it('refuses a bad port with exit 2', async () => {
    let stderr = ''
    const code = await main(['serve', '--port', 'eighty'], { stdout: () => {}, stderr: (t) => void (stderr += t), env: {}, rendererDir: '/nonexistent' })
    expect(code).toBe(2)
    expect(stderr).toBe('tinjau: --port: "eighty" is not a port number (0-65535; 0 picks a free one)\n')
  })
})
