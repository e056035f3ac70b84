import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { rmSync } from 'node:fs'
import { afterEach, describe, expect, test } from 'vitest'
import { EnrollResponse, PROTOCOL_HEADER, SYNC_PATHS } from '../../shared/sync-protocol'
// The client against the real sync service is the point of this file; core code never imports the server.
// eslint-disable-next-line no-restricted-imports
import { startTestServer, type TestServer } from '../../server/testing/test-server'
import { mulberry32 } from '../testing/prng'
import type { Tinjau } from '../tinjau'
import { openQuietProfile } from './testing/open-profile'
import type { SyncClient, SyncClientOptions } from './sync-client'
import { syncClientFor } from './testing/client-for'
import { TokenStore } from './token-store'
import { useTestService } from './testing/use-test-service'

/**
 * Enrollment that survives a lost answer, and unenrollment that tells the server (or not,
 * when it cannot be reached): the client against the real sync service, over real HTTP,
 * with a small proxy in between that can lose answers.
 */

let server: TestServer
const profiles: (Tinjau & { dataDir: string })[] = []
const clients: SyncClient[] = []
const closers: (() => Promise<void>)[] = []
let serial = 0

useTestService((s) => (server = s))

afterEach(async () => {
  for (const c of clients.splice(0)) c.close()
  for (const t of profiles.splice(0)) {
    t.close()
    rmSync(t.dataDir, { recursive: true, force: true })
  }
  for (const close of closers.splice(0)) await close()
})

interface Proxy {
  url: string
  /** Every request seen, as "METHOD /path". */
  seen: string[]
  /** Bodies of the server's answers the proxy dropped instead of passing on. */
  lost: string[]
  close(): Promise<void>
}

/**
 * A proxy in front of `target`: forwards each request to it; `drop(method, path, n)` says
 * whether the server's answer to the n-th request (from 0) of that method and path is
 * thrown away and the connection cut instead of answering (the request still reached the
 * server), `hang` whether the request is held without ever being forwarded.
 */
async function startProxy(target: string, opts: { drop?: (key: string, n: number) => boolean; hang?: (key: string) => boolean } = {}): Promise<Proxy> {
  const seen: string[] = []
  const lost: string[] = []
  const counts = new Map<string, number>()
  const upstream = new URL(target)
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const key = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`
      seen.push(key)
      const n = counts.get(key) ?? 0
      counts.set(key, n + 1)
      if (opts.hang?.(key)) return
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          const body: Buffer[] = []
          answer.on('data', (c: Buffer) => body.push(c))
          answer.on('end', () => {
            if (opts.drop?.(key, n)) {
              lost.push(Buffer.concat(body).toString('utf8'))
              req.socket.destroy()
              return
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            res.end(Buffer.concat(body))
          })
        },
      )
      forward.on('error', () => req.socket.destroy())
      forward.end(Buffer.concat(chunks))
    })
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const close = () =>
    new Promise<void>((resolve) => {
      proxy.closeAllConnections()
      proxy.close(() => resolve())
    })
  closers.push(close)
  return { url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, seen, lost, close }
}

function makeClient(extra: Partial<SyncClientOptions> = {}): { t: Tinjau & { dataDir: string }; client: SyncClient; sleeps: number[] } {
  const t = openQuietProfile()
  profiles.push(t)
  const sleeps: number[] = []
  const client = syncClientFor(t, {
    random: mulberry32(7),
    requestBackoff: { baseMs: 10, factor: 2, capMs: 1_000 },
    sleep: async (ms) => void sleeps.push(ms),
    maxAttempts: 4,
    timeoutMs: 5_000,
    ...extra,
  })
  clients.push(client)
  return { t, client, sleeps }
}

async function newReviewer(on: TestServer = server): Promise<string> {
  const id = `enr-${++serial}-${Date.now()}`
  await on.ops.addReviewer(id, `Reviewer ${serial}`)
  return id
}

/** A raw authenticated request straight to the server, past the client. */
async function statusWith(base: string, token: string): Promise<number> {
  const res = await fetch(`${base}${SYNC_PATHS.notices}`, { headers: { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: '1' } })
  await res.body?.cancel()
  return res.status
}

const storedToken = (t: Tinjau & { dataDir: string }) => new TokenStore(t.dataDir).read()
const auditPayloads = (t: Tinjau, kind: string) =>
  (t.store.sqlite.prepare('SELECT payload FROM audit_log WHERE kind = ? ORDER BY rowid').pluck().all(kind) as string[]).map((p) => JSON.parse(p) as unknown)

describe('enrollment when an answer is lost', () => {
  test('the first answer never arrives: the retry with the same code enrolls, and only its token works', async () => {
    const reviewer = await newReviewer()
    const code = await server.ops.enrollmentCode(reviewer)
    const proxy = await startProxy(server.url, { drop: (key, n) => key === `POST ${SYNC_PATHS.enroll}` && n === 0 })
    const { t, client, sleeps } = makeClient()

    const info = await client.enroll(proxy.url, code)
    expect(info).toMatchObject({ url: proxy.url, reviewerId: reviewer })
    expect(proxy.seen.filter((k) => k === `POST ${SYNC_PATHS.enroll}`)).toHaveLength(2)
    expect(sleeps).toHaveLength(1)
    expect(client.status()).toMatchObject({ state: 'idle', server: { reviewerId: reviewer } })
    expect(t.identity.reviewerId).toBe(reviewer)

    // The server did enroll on the first attempt; that token was lost on the way and is now dead.
    expect(proxy.lost).toHaveLength(1)
    const lostToken = EnrollResponse.parse(JSON.parse(proxy.lost[0]!)).token
    const token = storedToken(t)!
    expect(token).not.toBe(lostToken)
    expect(await statusWith(server.url, lostToken)).toBe(401)
    expect(await statusWith(server.url, token)).toBe(200)
    // And the client syncs with it, through the proxy.
    await client.syncNow()
    expect(client.status().state).toBe('up_to_date')
  }, 60_000)

  test('every answer lost: gives up after maxAttempts with a network error, and stays not enrolled', async () => {
    const reviewer = await newReviewer()
    const code = await server.ops.enrollmentCode(reviewer)
    const proxy = await startProxy(server.url, { drop: () => true })
    const { t, client, sleeps } = makeClient()
    await expect(client.enroll(proxy.url, code)).rejects.toThrow(/could not be reached/)
    expect(proxy.seen).toHaveLength(4)
    expect(sleeps).toHaveLength(3)
    expect(client.status().state).toBe('not_enrolled')
    expect(storedToken(t)).toBeNull()
    // The code is still good for this device once the network is back.
    await client.enroll(server.url, code)
    expect(await statusWith(server.url, storedToken(t)!)).toBe(200)
  }, 60_000)

  test('a refused code is not retried', async () => {
    const reviewer = await newReviewer()
    const code = await server.ops.enrollmentCode(reviewer)
    const other = makeClient()
    await other.client.enroll(server.url, code)
    const proxy = await startProxy(server.url)
    const { client, sleeps } = makeClient()
    await expect(client.enroll(proxy.url, code)).rejects.toThrow(/403 enrollment_refused.*used already/)
    expect(proxy.seen).toHaveLength(1)
    expect(sleeps).toHaveLength(0)
  }, 60_000)
})

describe('unenroll', () => {
  test("revokes the token on the server: the old token then gets 401; the device may enroll again", async () => {
    const reviewer = await newReviewer()
    const { t, client } = makeClient()
    await client.enroll(server.url, await server.ops.enrollmentCode(reviewer))
    const token = storedToken(t)!
    expect(await statusWith(server.url, token)).toBe(200)

    await client.unenroll()
    expect(await statusWith(server.url, token)).toBe(401)
    expect(client.status()).toMatchObject({ state: 'not_enrolled', server: null })
    expect(storedToken(t)).toBeNull()
    expect(auditPayloads(t, 'sync.unenrolled')).toEqual([{ revokedOnServer: true }])

    await client.enroll(server.url, await server.ops.enrollmentCode(reviewer))
    expect(await statusWith(server.url, storedToken(t)!)).toBe(200)
  }, 60_000)

  test('works offline (server stopped): the token is forgotten here, the client is not enrolled', async () => {
    const own = await startTestServer()
    closers.push(() => own.stop())
    const reviewer = await newReviewer(own)
    const { t, client } = makeClient()
    await client.enroll(own.url, await own.ops.enrollmentCode(reviewer))
    expect(storedToken(t)).not.toBeNull()
    await own.stop()

    await client.unenroll()
    expect(client.status()).toMatchObject({ state: 'not_enrolled', server: null })
    expect(storedToken(t)).toBeNull()
    expect(auditPayloads(t, 'sync.unenrolled')).toEqual([{ revokedOnServer: false }])
  }, 120_000)

  test('a server that never answers: one attempt, given up after the timeout, unenrolled anyway', async () => {
    const reviewer = await newReviewer()
    const proxy = await startProxy(server.url, { hang: (key) => key === `POST ${SYNC_PATHS.revokeSelf}` })
    const { t, client } = makeClient({ timeoutMs: 300 })
    await client.enroll(proxy.url, await server.ops.enrollmentCode(reviewer))
    const token = storedToken(t)!

    const started = Date.now()
    await client.unenroll()
    expect(Date.now() - started).toBeLessThan(3_000)
    expect(proxy.seen.filter((k) => k === `POST ${SYNC_PATHS.revokeSelf}`)).toHaveLength(1)
    expect(client.status().state).toBe('not_enrolled')
    expect(storedToken(t)).toBeNull()
    expect(auditPayloads(t, 'sync.unenrolled')).toEqual([{ revokedOnServer: false }])
    // The server never heard: the token still works there until the operator revokes the device.
    expect(await statusWith(server.url, token)).toBe(200)
    await server.ops.revokeDevice(t.identity.deviceId)
    expect(await statusWith(server.url, token)).toBe(401)
  }, 60_000)

  test('a token the server refuses already (it was given up): unenrolled anyway', async () => {
    const reviewer = await newReviewer()
    const { t, client } = makeClient()
    await client.enroll(server.url, await server.ops.enrollmentCode(reviewer))
    const res = await fetch(`${server.url}${SYNC_PATHS.revokeSelf}`, { method: 'POST', headers: { authorization: `Bearer ${storedToken(t)!}`, [PROTOCOL_HEADER]: '1' } })
    expect(res.status).toBe(200)
    await client.unenroll()
    expect(client.status().state).toBe('not_enrolled')
    expect(storedToken(t)).toBeNull()
    expect(auditPayloads(t, 'sync.unenrolled')).toEqual([{ revokedOnServer: false }])
  }, 60_000)

  test('a device the operator revoked hears it at unenroll: it is wiped instead (revoked.test.ts), nothing recorded', async () => {
    const reviewer = await newReviewer()
    const { t, client } = makeClient()
    await client.enroll(server.url, await server.ops.enrollmentCode(reviewer))
    await server.ops.revokeDevice(t.identity.deviceId)
    await expect(client.unenroll()).rejects.toMatchObject({ failure: { code: 'device_revoked' } })
    expect(client.status()).toMatchObject({ state: 'error', code: 'device_revoked' })
    expect(storedToken(t)).toBeNull()
    expect(auditPayloads(t, 'sync.unenrolled')).toEqual([])
  }, 60_000)
})
