import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decisionCount, rawRequest, startFixture, type WebFixture } from './testing/web-fixture'
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './security'
import { startWebHost } from './web-host'

let fx: WebFixture
beforeEach(async () => {
  fx = await startFixture()
})
afterEach(async () => {
  await fx.close()
})

/** A pack of three clips imported through the API; returns the first clip's id. */
async function importPack(): Promise<string> {
  const res = await fx.api('pack.importDirectory', { path: fx.pack(3) })
  expect(res.status).toBe(200)
  const body = await res.json()
  expect(body).toMatchObject({ ok: true, value: { clips: 3, added: 3, alreadyImported: false } })
  return 'clip-000000'
}

const removeDraft = (clipId: string) => ({
  clipId,
  categories: ['violence.arson'],
  action: 'remove',
  rationale: 'setting fire to a shop on stream',
})

describe('POST /api/:method', () => {
  it('refuses a missing or wrong secret with 401, before touching anything', async () => {
    const clipId = await importPack()
    for (const auth of [null, 'Bearer wrong', `Bearer ${fx.host.secret}x`, `Basic ${fx.host.secret}`, fx.host.secret]) {
      const res = await fx.api('decision.record', removeDraft(clipId), { auth })
      expect(res.status, String(auth)).toBe(401)
      const body = await res.json()
      expect(body).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    }
    // ?k= is for EventSource and media only, never for calls.
    const viaQuery = await fetch(`${fx.host.url}/api/decision.record?k=${fx.host.secret}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(removeDraft(clipId)),
    })
    expect(viaQuery.status).toBe(401)
    expect(decisionCount(fx.tinjau)).toBe(0)
  })

  it('answers a call with { ok: true, value }', async () => {
    const res = await fx.api('app.info')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const body = await res.json()
    expect(body).toMatchObject({ ok: true, value: { host: 'web', version: '0.0.0-test', clipCount: 0 } })
  })

  it('rejects an invalid payload with 400 invalid_input naming the field', async () => {
    const clipId = await importPack()
    const res = await fx.api('decision.record', { ...removeDraft(clipId), categories: 'x' })
    expect(res.status).toBe(400)
    const body = await res.json()
    expect(body.ok).toBe(false)
    expect(body.error.code).toBe('invalid_input')
    expect(body.error.details.map((d: { path: string }) => d.path)).toContain('categories')
    expect(decisionCount(fx.tinjau)).toBe(0)
  })

  it('rejects malformed JSON with 400 invalid_input saying so', async () => {
    const res = await fx.api('queue.list', undefined, { rawBody: '{"limit": 5,' })
    expect(res.status).toBe(400)
    const body = await res.json()
    expect(body.error.code).toBe('invalid_input')
    expect(body.error.message).toMatch(/not valid JSON/)
  })

  it('rejects a body that is not declared as JSON with 415', async () => {
    const res = await fx.api('queue.list', undefined, { rawBody: '{}', contentType: 'text/plain' })
    expect(res.status).toBe(415)
    expect((await res.json()).error.code).toBe('invalid_input')
  })

  it('rejects a body over the size limit with 413 and a structured error', async () => {
    const res = await fx.api('queue.list', undefined, { rawBody: JSON.stringify({ pad: 'x'.repeat(1024 * 1024) }) })
    expect(res.status).toBe(413)
    const body = await res.json()
    expect(body).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(body.error.message).toMatch(/larger than 1048576 bytes/)
  })

  it('treats an empty body as no input', async () => {
    const res = await fx.api('audit.verify')
    expect(await res.json()).toEqual({ ok: true, value: { ok: true, entries: 0, brokenAt: null } })
  })

  it('rejects an unknown method with 400', async () => {
    const res = await fx.api('decision.delete', {})
    expect(res.status).toBe(400)
    const body = await res.json()
    expect(body.error.code).toBe('invalid_input')
    expect(body.error.message).toMatch(/unknown method/)
  })

  it('answers an unknown clip with 404 not_found', async () => {
    await importPack()
    const get = await fx.api('clip.get', { clipId: 'no-such-clip' })
    expect(get.status).toBe(404)
    expect((await get.json()).error.code).toBe('not_found')
    const record = await fx.api('decision.record', removeDraft('no-such-clip'))
    expect(record.status).toBe(404)
    expect((await record.json()).error.code).toBe('not_found')
  })

  it('answers a policy problem with 422 policy_violation and saves nothing', async () => {
    const clipId = await importPack()
    const res = await fx.api('decision.record', { ...removeDraft(clipId), rationale: '' })
    expect(res.status).toBe(422)
    const body = await res.json()
    expect(body.error.code).toBe('policy_violation')
    expect(body.error.details).toContainEqual({ path: 'rationale', message: 'a rationale is required for action "remove"' })
    expect(decisionCount(fx.tinjau)).toBe(0)
  })

  it('imports a pack, records a decision and reads it back; a second one must revise it (409)', async () => {
    const clipId = await importPack()
    const queue = await (await fx.api('queue.list', { limit: 10 })).json()
    expect(queue.value.total).toBe(3)
    expect(queue.value.items.map((i: { id: string }) => i.id)).toContain(clipId)

    const saved = await fx.api('decision.record', removeDraft(clipId))
    expect(saved.status).toBe(200)
    const record = (await saved.json()).value
    expect(record).toMatchObject({ clipId, action: 'remove', categories: ['violence.arson'], syncState: 'pending' })

    const list = await (await fx.api('decision.list', { clipId })).json()
    expect(list.value).toEqual({ items: [record], total: 1 })
    const clip = await (await fx.api('clip.get', { clipId })).json()
    expect(clip.value.status).toBe('decided')
    expect(clip.value.decisions).toEqual([record])

    const again = await fx.api('decision.record', removeDraft(clipId))
    expect(again.status).toBe(409)
    const conflict = await again.json()
    expect(conflict.error.code).toBe('conflict')
    expect(conflict.error.message).toContain(record.id)
    const revised = await fx.api('decision.record', { ...removeDraft(clipId), action: 'end_live', revisesId: record.id })
    expect(revised.status).toBe(200)
    expect(decisionCount(fx.tinjau)).toBe(2)
  })

  it('answers an invalid pack with 422 invalid_pack', async () => {
    const res = await fx.api('pack.importDirectory', { path: '/definitely/not/a/pack' })
    expect(res.status).toBe(422)
    expect((await res.json()).error.code).toBe('invalid_pack')
  })
})

describe('every response', () => {
  it('carries the security headers, errors and 404s included', async () => {
    const responses = [
      await fetch(`${fx.host.url}/`),
      await fx.api('app.info'),
      await fx.api('app.info', undefined, { auth: null }),
      await fetch(`${fx.host.url}/nope`),
    ]
    for (const res of responses) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name), `${res.url} ${name}`).toBe(value)
    }
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    )
  })

  it('answers unknown routes with 404 JSON', async () => {
    for (const [method, path] of [['GET', '/api/app.info'], ['POST', '/nope'], ['GET', '/media'], ['DELETE', '/api/app.info']] as const) {
      const res = await fetch(`${fx.host.url}${path}`, { method })
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(await res.json()).toMatchObject({ ok: false, error: { code: 'not_found' } })
    }
  })
})

describe('DNS-rebinding defence', () => {
  it('refuses any Host but 127.0.0.1:<port> or localhost:<port> with 403', async () => {
    const { port } = fx.host
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', `0.0.0.0:${port}`]) {
      const res = await rawRequest(port, '/', { Host: host })
      expect(res.status, host).toBe(403)
      expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    }
    expect((await rawRequest(port, '/', { Host: `localhost:${port}` })).status).toBe(200)
    expect((await rawRequest(port, '/', { Host: `127.0.0.1:${port}` })).status).toBe(200)
  })

  it('refuses a state-changing request from another origin', async () => {
    const res = await fetch(`${fx.host.url}/api/app.info`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fx.host.secret}`, Origin: 'http://evil.example' },
    })
    expect(res.status).toBe(403)
    const same = await fetch(`${fx.host.url}/api/app.info`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fx.host.secret}`, Origin: fx.host.url },
    })
    expect(same.status).toBe(200)
  })
})

describe('startWebHost', () => {
  it('binds to 127.0.0.1 only', async () => {
    for (const host of ['0.0.0.0', '::', 'localhost', '192.168.1.1']) {
      await expect(startWebHost({ tinjau: fx.tinjau, rendererDir: fx.rendererDir, host })).rejects.toThrow(/127\.0\.0\.1 only/)
    }
    expect(fx.host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('makes a new 32-byte base64url secret per launch', async () => {
    expect(fx.host.secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(fx.host.launchUrl).toBe(`${fx.host.url}/?k=${fx.host.secret}`)
    const other = await startWebHost({ tinjau: fx.tinjau, rendererDir: fx.rendererDir })
    try {
      expect(other.secret).not.toBe(fx.host.secret)
    } finally {
      await other.close()
    }
  })
})
