import { randomBytes } from 'node:crypto'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SessionInfo as LeadSessionResponse } from '../shared/lead-api'
import { one, rows, sql, type Db } from './db/open'
import { ServerError } from './errors'
import { errorResponse } from './http/app'
import { addLeadSessionRoutes, LEAD_SESSION_COOKIE, requireLead, sameOriginOnly, type LeadEnv } from './http/lead-auth'
import { addLead, disableLead, hashPassword, listLeads, resolveSession, setLeadPassword, signIn, SIGN_IN_WINDOW_S, verifyPassword } from './ops/leads'
import { sha256Hex } from './ops/reviewers'
import { errorOf } from './testing/responses'
import { TestDevice } from './testing/test-device'
import { startTestServer, type TestServer } from './testing/test-server'

const ORIGIN = 'http://tinjau.test'
const PASSWORD = 'correct horse battery staple'

let server: TestServer
let db: Db
let app: Hono

beforeAll(async () => {
  server = await startTestServer()
  db = server.db()
  const lead = new Hono<LeadEnv>()
  lead.use('*', sameOriginOnly())
  addLeadSessionRoutes(lead, { db })
  lead.get('/whoami', requireLead(db), (c) => c.json(c.get('lead')))
  lead.post('/notes', requireLead(db), (c) => c.json({ ok: true, by: c.get('lead').id }))
  lead.post('/accounts', requireLead(db, 'admin'), (c) => c.json({ ok: true }))
  app = new Hono()
  app.route('/lead/api', lead)
  app.onError((err) => errorResponse(err instanceof ServerError ? err : new ServerError('server_error', 'x')))
  await addLead(db, { id: 'lina', name: 'Lina', role: 'lead', password: PASSWORD })
  await addLead(db, { id: 'adi', name: 'Adi', role: 'admin', password: PASSWORD })
}, 60_000)
afterAll(() => server?.stop())

interface Req {
  method?: string
  json?: unknown
  cookie?: string | null
  headers?: Record<string, string>
  /** The caller's address, as @hono/node-server would give it. */
  address?: string
  base?: string
}

async function call(path: string, opts: Req = {}): Promise<Response> {
  const method = opts.method ?? 'GET'
  const headers: Record<string, string> = {}
  if (method !== 'GET') headers.origin = opts.base ?? ORIGIN
  if (opts.json !== undefined) headers['content-type'] = 'application/json'
  if (opts.cookie) headers.cookie = `${LEAD_SESSION_COOKIE}=${opts.cookie}`
  Object.assign(headers, opts.headers)
  for (const [k, v] of Object.entries(headers)) if (v === '') delete headers[k]
  const init: RequestInit = { method, headers, ...(opts.json !== undefined ? { body: JSON.stringify(opts.json) } : {}) }
  return app.request(`${opts.base ?? ORIGIN}/lead/api${path}`, init, { incoming: { socket: { remoteAddress: opts.address ?? '192.0.2.1' } } })
}

function sessionCookie(res: Response): string {
  const header = res.headers.get('set-cookie') ?? ''
  const match = new RegExp(`${LEAD_SESSION_COOKIE}=([^;]*)`).exec(header)
  if (!match) throw new Error(`no session cookie in ${JSON.stringify(header)}`)
  return match[1]!
}

async function signInOver(id: string, password: string, opts: Req = {}): Promise<Response> {
  return call('/session', { method: 'POST', json: { id, password }, ...opts })
}

let leadsMade = 0

/** A lead of its own per test, so no test eats into another's sign-in limit for an id. */
async function freshLead(role: 'lead' | 'admin' = 'lead'): Promise<string> {
  const id = `lead-${++leadsMade}`
  await addLead(db, { id, name: `Lead ${leadsMade}`, role, password: PASSWORD })
  return id
}

async function signedIn(id: string, address?: string): Promise<string> {
  const res = await signInOver(id, PASSWORD, address ? { address } : {})
  expect(res.status).toBe(200)
  return sessionCookie(res)
}

async function expectRefused(res: Response, status: number, code: string) {
  expect(res.status).toBe(status)
  expect((await errorOf(res)).code).toBe(code)
}

/** Tests counting attempts in a 15-minute window should not straddle two. */
async function awayFromWindowEdge() {
  const left = SIGN_IN_WINDOW_S - (Math.floor(Date.now() / 1000) % SIGN_IN_WINDOW_S)
  if (left < 20) await new Promise((r) => setTimeout(r, (left + 1) * 1000))
}

describe('lead accounts', () => {
  it('keeps an scrypt hash, never the password, and it verifies', async () => {
    const hash = await hashPassword(PASSWORD)
    expect(hash).not.toContain(PASSWORD)
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/)
    expect(await verifyPassword(PASSWORD, hash)).toBe(true)
    expect(await verifyPassword(`${PASSWORD}!`, hash)).toBe(false)
    expect(await hashPassword(PASSWORD)).not.toBe(hash)

    const stored = await one<{ password_hash: string }>(db, sql`SELECT password_hash FROM leads WHERE id = 'lina'`)
    expect(stored!.password_hash).not.toContain(PASSWORD)
    expect(await verifyPassword(PASSWORD, stored!.password_hash)).toBe(true)
    const listed = await listLeads(db)
    expect(listed.map((l) => [l.id, l.role])).toEqual(expect.arrayContaining([['lina', 'lead'], ['adi', 'admin']]))
    expect(JSON.stringify(listed)).not.toContain('scrypt')
    // Times as RFC 3339 UTC, like every other time the service answers with.
    for (const l of listed) {
      expect(l.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
      expect(l.disabled_at).toBeNull()
    }
    const audited = await rows<{ actor: string; details: unknown }>(db, sql`SELECT actor, details FROM service_audit WHERE action = 'lead.add' AND subject = 'lina'`)
    expect(audited).toEqual([{ actor: 'operator', details: { name: 'Lina', role: 'lead' } }])
  })

  it('refuses a short password, a bad id and a second account with the same id', async () => {
    await expect(addLead(db, { id: 'short', name: 'S', role: 'lead', password: 'elevenchars' })).rejects.toMatchObject({ code: 'invalid_request', message: /at least 12 characters/ })
    await expect(addLead(db, { id: 'no spaces', name: 'S', role: 'lead', password: PASSWORD })).rejects.toMatchObject({ code: 'invalid_request' })
    await expect(addLead(db, { id: 'lina', name: 'Other', role: 'admin', password: PASSWORD })).rejects.toMatchObject({ code: 'conflict' })
    expect((await listLeads(db)).filter((l) => l.id === 'lina' || l.id === 'short')).toHaveLength(1)
  })
})

describe('sign-in', () => {
  it('answers a wrong password and an unknown id alike', async () => {
    const wrong = await signInOver('lina', 'not the password at all', { address: '192.0.2.10' })
    const unknown = await signInOver('nobody', PASSWORD, { address: '192.0.2.10' })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(wrong.headers.get('set-cookie')).toBeNull()
    const [a, b] = [await errorOf(wrong), await errorOf(unknown)]
    expect(a).toEqual({ code: 'unauthorized', message: 'the lead id or password is wrong' })
    expect(b).toEqual(a)
    const failed = await rows<{ subject: string; details: { reason: string } }>(
      db,
      sql`SELECT subject, details FROM service_audit WHERE action = 'lead.sign_in_failed' AND details->>'address' = '192.0.2.10' ORDER BY id`,
    )
    expect(failed.map((f) => [f.subject, f.details.reason])).toEqual([
      ['lina', 'wrong_password'],
      ['nobody', 'unknown_id'],
    ])
  })

  it('sets an HttpOnly, SameSite=Strict cookie that GET /session and guarded routes accept', async () => {
    const res = await signInOver('lina', PASSWORD)
    expect(res.status).toBe(200)
    const body = LeadSessionResponse.parse(await res.json())
    expect(body.lead).toEqual({ id: 'lina', name: 'Lina', role: 'lead' })
    const lifetime = Date.parse(body.expires_at) - Date.now()
    expect(lifetime).toBeGreaterThan(11.9 * 3600_000)
    expect(lifetime).toBeLessThan(12.1 * 3600_000)
    const setCookie = res.headers.get('set-cookie')!
    expect(setCookie).toMatch(/HttpOnly/)
    expect(setCookie).toMatch(/SameSite=Strict/)
    expect(setCookie).toMatch(/Path=\/lead(;|$)/)
    expect(setCookie).not.toMatch(/Secure/)
    const token = sessionCookie(res)
    expect(token).toMatch(/^tjl_[A-Za-z0-9_-]{43}$/)
    // Only the hash is kept.
    const stored = await rows<{ token_hash: string }>(db, sql`SELECT token_hash FROM lead_sessions WHERE token_hash = ${sha256Hex(token)} OR token_hash = ${token}`)
    expect(stored).toEqual([{ token_hash: sha256Hex(token) }])

    const session = await call('/session', { cookie: token })
    expect(session.status).toBe(200)
    expect(LeadSessionResponse.parse(await session.json())).toEqual(body)
    const who = await call('/whoami', { cookie: token })
    expect(await who.json()).toEqual({ id: 'lina', name: 'Lina', role: 'lead' })
    const note = await call('/notes', { method: 'POST', json: {}, cookie: token })
    expect(await note.json()).toEqual({ ok: true, by: 'lina' })
    expect(await one(db, sql`SELECT 1 FROM service_audit WHERE action = 'lead.sign_in' AND actor = 'lead:lina'`)).toBeDefined()
  })

  it('marks the cookie Secure over https', async () => {
    const res = await signInOver('lina', PASSWORD, { base: 'https://tinjau.test' })
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toMatch(/; Secure/)
  })

  it('wants a JSON body that says so', async () => {
    const res = await call('/session', { method: 'POST', headers: { 'content-type': 'text/plain' } })
    await expectRefused(res, 400, 'invalid_request')
    const extra = await signInOver('lina', PASSWORD, { json: { id: 'lina', password: PASSWORD, remember: true } })
    await expectRefused(extra, 400, 'invalid_request')
  })
})

describe('sessions', () => {
  it('refuses no cookie, a forged token and a token of the wrong shape', async () => {
    await expectRefused(await call('/session'), 401, 'unauthorized')
    await expectRefused(await call('/whoami'), 401, 'unauthorized')
    const forged = `tjl_${randomBytes(32).toString('base64url')}`
    await expectRefused(await call('/session', { cookie: forged }), 401, 'unauthorized')
    await expectRefused(await call('/whoami', { cookie: forged }), 401, 'unauthorized')
    await expectRefused(await call('/whoami', { cookie: 'tjl_short' }), 401, 'unauthorized')
  })

  it('refuses a token replayed after sign-out, and clears the cookie', async () => {
    const token = await signedIn(await freshLead())
    const out = await call('/session', { method: 'DELETE', cookie: token })
    expect(out.status).toBe(200)
    expect(await out.json()).toEqual({ signed_out: true })
    expect(out.headers.get('set-cookie')).toMatch(new RegExp(`^${LEAD_SESSION_COOKIE}=;.*Max-Age=0`))
    await expectRefused(await call('/session', { cookie: token }), 401, 'unauthorized')
    await expectRefused(await call('/whoami', { cookie: token }), 401, 'unauthorized')
    // Signing out again ends nothing, and says so.
    expect(await (await call('/session', { method: 'DELETE', cookie: token })).json()).toEqual({ signed_out: false })
  })

  it('refuses an expired session and one idle for over 2 hours', async () => {
    const expired = await signedIn(await freshLead())
    await db.execute(sql`UPDATE lead_sessions SET expires_at = now() - interval '1 minute' WHERE token_hash = ${sha256Hex(expired)}`)
    await expectRefused(await call('/whoami', { cookie: expired }), 401, 'unauthorized')

    const idle = await signedIn(await freshLead())
    await db.execute(sql`UPDATE lead_sessions SET last_seen_at = now() - interval '121 minutes' WHERE token_hash = ${sha256Hex(idle)}`)
    await expectRefused(await call('/whoami', { cookie: idle }), 401, 'unauthorized')
  })

  it('keeps a session in use alive, noting its use at most once a minute', async () => {
    const token = await signedIn(await freshLead())
    const seen = () => one<{ last_seen_at: string }>(db, sql`SELECT last_seen_at::text AS last_seen_at FROM lead_sessions WHERE token_hash = ${sha256Hex(token)}`)
    await db.execute(sql`UPDATE lead_sessions SET last_seen_at = now() - interval '100 minutes' WHERE token_hash = ${sha256Hex(token)}`)
    const before = (await seen())!.last_seen_at
    expect((await call('/whoami', { cookie: token })).status).toBe(200)
    const touched = (await seen())!.last_seen_at
    expect(Date.parse(touched)).toBeGreaterThan(Date.parse(before) + 99 * 60_000)
    expect((await call('/whoami', { cookie: token })).status).toBe(200)
    expect((await seen())!.last_seen_at).toBe(touched)
  })
})

describe('device tokens and session tokens do not mix', () => {
  let device: TestDevice

  beforeAll(async () => {
    await server.ops.addReviewer('rina', 'Rina')
    device = new TestDevice(server.url)
    await device.enroll(await server.ops.enrollmentCode('rina'))
  }, 60_000)

  it('a device bearer token is no lead session', async () => {
    expect((await device.request('GET', '/v1/assignments')).status).toBe(200)
    const bearer = { authorization: `Bearer ${device.token}` }
    await expectRefused(await call('/whoami', { headers: bearer }), 401, 'unauthorized')
    await expectRefused(await call('/session', { headers: bearer }), 401, 'unauthorized')
    // Not in the cookie either: it has no tjl_ prefix, so it is not even looked up.
    await expectRefused(await call('/whoami', { cookie: device.token }), 401, 'unauthorized')
    expect(await resolveSession(db, device.token)).toBeNull()
    expect(await resolveSession(db, `tjl_${device.token}`)).toBeNull()
  })

  it('a session token is no device bearer token, nor a lead bearer token', async () => {
    const token = await signedIn(await freshLead())
    const res = await device.request('GET', '/v1/assignments', { token })
    await expectRefused(res, 401, 'unauthorized')
    await expectRefused(await call('/whoami', { headers: { authorization: `Bearer ${token}` } }), 401, 'unauthorized')
    // The session itself is unharmed.
    expect((await call('/whoami', { cookie: token })).status).toBe(200)
  })
})

describe('cross-site requests', () => {
  it('refuses a state change from another origin, and changes nothing', async () => {
    const token = await signedIn(await freshLead())
    const evil = { origin: 'https://evil.example' }
    const out = await call('/session', { method: 'DELETE', cookie: token, headers: evil })
    await expectRefused(out, 403, 'forbidden')
    expect(out.headers.get('set-cookie')).toBeNull()
    expect((await call('/whoami', { cookie: token })).status).toBe(200)
    expect(await one(db, sql`SELECT 1 FROM lead_sessions WHERE token_hash = ${sha256Hex(token)} AND ended_at IS NULL`)).toBeDefined()

    const note = await call('/notes', { method: 'POST', json: {}, cookie: token, headers: evil })
    expect((await errorOf(note)).message).toBe('cross-site request refused')

    // A sign-in from another site (login CSRF) makes no session and counts no attempt.
    const sessions = async () => (await rows(db, sql`SELECT 1 FROM lead_sessions WHERE lead_id = 'adi'`)).length
    const before = await sessions()
    await expectRefused(await signInOver('adi', PASSWORD, { headers: evil }), 403, 'forbidden')
    await expectRefused(await signInOver('adi', PASSWORD, { headers: { origin: 'null' } }), 403, 'forbidden')
    await expectRefused(await signInOver('adi', PASSWORD, { headers: { origin: 'https://tinjau.test' } }), 403, 'forbidden')
    expect(await sessions()).toBe(before)
  })

  it('without Origin, wants Sec-Fetch-Site: same-origin', async () => {
    const token = await signedIn(await freshLead())
    await expectRefused(await call('/notes', { method: 'POST', json: {}, cookie: token, headers: { origin: '' } }), 403, 'forbidden')
    await expectRefused(await call('/notes', { method: 'POST', json: {}, cookie: token, headers: { origin: '', 'sec-fetch-site': 'cross-site' } }), 403, 'forbidden')
    await expectRefused(await call('/notes', { method: 'POST', json: {}, cookie: token, headers: { origin: '', 'sec-fetch-site': 'same-site' } }), 403, 'forbidden')
    expect((await call('/notes', { method: 'POST', json: {}, cookie: token, headers: { origin: '', 'sec-fetch-site': 'same-origin' } })).status).toBe(200)
    // Reading is not refused by origin (the cookie is what guards it).
    expect((await call('/whoami', { cookie: token, headers: { origin: 'https://evil.example' } })).status).toBe(200)
  })
})

describe('roles', () => {
  it('refuses a lead on an admin route, and lets an admin in', async () => {
    const lead = await signedIn(await freshLead())
    const res = await call('/accounts', { method: 'POST', json: {}, cookie: lead })
    expect(res.status).toBe(403)
    expect(await errorOf(res)).toEqual({ code: 'forbidden', message: 'this needs the admin role' })
    const admin = await signedIn(await freshLead('admin'))
    expect((await call('/accounts', { method: 'POST', json: {}, cookie: admin })).status).toBe(200)
  })
})

describe('sign-in limits', () => {
  it('locks an id out after 10 attempts in the window, even for the right password', async () => {
    await addLead(db, { id: 'tari', name: 'Tari', role: 'lead', password: PASSWORD })
    await awayFromWindowEdge()
    const address = '198.51.100.7'
    for (let i = 0; i < 10; i++) expect((await signInOver('tari', `wrong password ${i}`, { address })).status).toBe(401)
    const locked = await signInOver('tari', 'wrong password 10', { address })
    await expectRefused(locked, 429, 'rate_limited')
    const retry = Number(locked.headers.get('retry-after'))
    expect(retry).toBeGreaterThanOrEqual(1)
    expect(retry).toBeLessThanOrEqual(SIGN_IN_WINDOW_S)
    // The right password, from another address, is refused as well until the window ends.
    const right = await signInOver('tari', PASSWORD, { address: '198.51.100.8' })
    await expectRefused(right, 429, 'rate_limited')
    expect(right.headers.get('set-cookie')).toBeNull()
    // The device limiter's sweep (http/rate-limit.ts: rows over a minute old) leaves the window alone.
    await db.execute(sql`DELETE FROM rate_limits WHERE window_start < floor(extract(epoch FROM now()) / 60)::bigint - 1`)
    await expectRefused(await signInOver('tari', PASSWORD, { address: '198.51.100.9' }), 429, 'rate_limited')
    // Others are not locked out.
    expect((await signInOver('lina', PASSWORD, { address })).status).toBe(200)
  })

  it('counts failed tries only: a lead who signs in often is never locked out by it', async () => {
    await addLead(db, { id: 'often', name: 'Often', role: 'lead', password: PASSWORD })
    await awayFromWindowEdge()
    const address = '198.51.100.30'
    for (let i = 0; i < 12; i++) expect((await signInOver('often', PASSWORD, { address })).status).toBe(200)
    // Failures still count: after ten, even the right password waits for the window to end.
    for (let i = 0; i < 10; i++) expect((await signInOver('often', `wrong ${i}`, { address })).status).toBe(401)
    await expectRefused(await signInOver('often', PASSWORD, { address }), 429, 'rate_limited')
  }, 60_000)

  it('limits an address to 30 attempts in the window, whatever the ids', async () => {
    await awayFromWindowEdge()
    const address = '198.51.100.20'
    for (let i = 0; i < 30; i++) expect((await signInOver(`guess-${i}`, PASSWORD, { address })).status).toBe(401)
    await expectRefused(await signInOver('adi', PASSWORD, { address }), 429, 'rate_limited')
    expect((await signInOver('adi', PASSWORD, { address: '198.51.100.21' })).status).toBe(200)
  }, 30_000)

  it('counts attempts in the ops function too', async () => {
    await awayFromWindowEdge()
    const limits = { perId: 2, perAddress: 100 }
    const attempt = { id: 'lina', password: 'wrong wrong wrong', address: '203.0.113.5' }
    await expect(signIn(db, { ...attempt, id: 'nobody-2' }, limits)).rejects.toMatchObject({ code: 'unauthorized' })
    await expect(signIn(db, { ...attempt, id: 'nobody-2' }, limits)).rejects.toMatchObject({ code: 'unauthorized' })
    await expect(signIn(db, { ...attempt, id: 'nobody-2' }, limits)).rejects.toMatchObject({ code: 'rate_limited', retryAfter: expect.any(Number) })
  })
})

describe('disabled leads and new passwords', () => {
  it('a disabled lead cannot sign in, and their sessions stop working', async () => {
    await addLead(db, { id: 'dewi', name: 'Dewi', role: 'admin', password: PASSWORD })
    const token = await signedIn('dewi')
    expect((await call('/whoami', { cookie: token })).status).toBe(200)
    await disableLead(db, 'dewi')
    await expectRefused(await call('/whoami', { cookie: token }), 401, 'unauthorized')
    const again = await signInOver('dewi', PASSWORD)
    expect(await errorOf(again)).toEqual({ code: 'unauthorized', message: 'the lead id or password is wrong' })
    expect((await listLeads(db)).find((l) => l.id === 'dewi')!.disabled_at).not.toBeNull()
    expect(await one(db, sql`SELECT 1 FROM lead_sessions WHERE lead_id = 'dewi' AND ended_at IS NULL`)).toBeUndefined()
    await expect(disableLead(db, 'nobody')).rejects.toMatchObject({ code: 'not_found' })
  })

  it('a new password ends the sessions made with the old one', async () => {
    await addLead(db, { id: 'eka', name: 'Eka', role: 'lead', password: PASSWORD })
    const token = await signedIn('eka')
    await setLeadPassword(db, 'eka', 'a brand new passphrase')
    await expectRefused(await call('/whoami', { cookie: token }), 401, 'unauthorized')
    await expectRefused(await signInOver('eka', PASSWORD), 401, 'unauthorized')
    expect((await signInOver('eka', 'a brand new passphrase')).status).toBe(200)
    await expect(setLeadPassword(db, 'eka', 'too short')).rejects.toMatchObject({ code: 'invalid_request' })
  })
})
