import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EnrollResponse, HealthResponse, PROTOCOL_HEADER, SyncErrorBody } from '../shared/sync-protocol'
import { rows, sql } from './db/open'
import { startTestServer, type TestServer } from './testing/test-server'
import { TestDevice } from './testing/test-device'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
  await server.ops.addReviewer('ana', 'Ana')
  await server.ops.addReviewer('budi', 'Budi')
}, 120_000)
afterAll(() => server?.stop())

async function errorOf(res: Response) {
  return SyncErrorBody.parse(await res.json()).error
}

describe('health', () => {
  it('answers without a token and names the protocol', async () => {
    const res = await fetch(`${server.url}/v1/health`)
    expect(res.status).toBe(200)
    expect(res.headers.get(PROTOCOL_HEADER)).toBe('1')
    expect(HealthResponse.parse(await res.json()).protocol).toBe(1)
  })
})

describe('enrollment', () => {
  it('gives a token for a fresh code, once', async () => {
    const code = await server.ops.enrollmentCode('ana')
    const device = new TestDevice(server.url)
    const body = EnrollResponse.parse(await device.enroll(code))
    expect(body).toMatchObject({ reviewer_id: 'ana', reviewer_name: 'Ana', device_id: device.deviceId })

    const second = new TestDevice(server.url)
    const res = await second.request('POST', '/v1/enroll', { json: { code, device_id: second.deviceId, public_key: second.publicKey } })
    expect(res.status).toBe(403)
    const error = await errorOf(res)
    expect(error.code).toBe('enrollment_refused')
    expect(error.message).toMatch(/used already/)
  })

  it('refuses an expired code and an unknown one', async () => {
    const expired = await server.ops.enrollmentCode('ana', 1)
    await new Promise((r) => setTimeout(r, 20))
    const device = new TestDevice(server.url)
    const res = await device.request('POST', '/v1/enroll', { json: { code: expired, device_id: device.deviceId, public_key: device.publicKey } })
    expect(res.status).toBe(403)
    expect((await errorOf(res)).message).toMatch(/expired/)

    const wrong = await device.request('POST', '/v1/enroll', { json: { code: 'AAAAA-BBBBB-CCCCC-DDDDD', device_id: device.deviceId, public_key: device.publicKey } })
    expect(wrong.status).toBe(403)
    expect((await errorOf(wrong)).message).toMatch(/not a code this server made/)
  })

  it('accepts a code typed in lower case and without dashes', async () => {
    const code = await server.ops.enrollmentCode('budi')
    const device = new TestDevice(server.url)
    const res = await device.request('POST', '/v1/enroll', { json: { code: code.replace(/-/g, '').toLowerCase(), device_id: device.deviceId, public_key: device.publicKey } })
    expect(res.status).toBe(200)
  })

  it('refuses a device id enrolled with another key, and leaves the code unused', async () => {
    const first = new TestDevice(server.url)
    await first.enroll(await server.ops.enrollmentCode('ana'))
    const code = await server.ops.enrollmentCode('ana')
    const impostor = new TestDevice(server.url, first.deviceId)
    const res = await impostor.request('POST', '/v1/enroll', { json: { code, device_id: first.deviceId, public_key: impostor.publicKey } })
    expect(res.status).toBe(403)
    expect((await errorOf(res)).message).toMatch(/enrolled already/)
    // The refused attempt did not use the code up.
    await new TestDevice(server.url).enroll(code)
  })

  it('refuses a request that does not follow the schema, naming the field', async () => {
    const device = new TestDevice(server.url)
    const res = await device.request('POST', '/v1/enroll', { json: { code: 'AAAAAAAA', device_id: device.deviceId, public_key: 'rsa:nope' } })
    expect(res.status).toBe(400)
    const error = await errorOf(res)
    expect(error.code).toBe('invalid_request')
    expect(error.details?.[0]?.path).toBe('body.public_key')
  })

  it('keeps only hashes of codes and tokens', async () => {
    const code = await server.ops.enrollmentCode('ana')
    const device = new TestDevice(server.url)
    const { token } = await device.enroll(code)
    const dump = JSON.stringify(await dumpSecrets())
    expect(dump).not.toContain(token)
    expect(dump).not.toContain(code)
    expect(dump).not.toContain(code.replace(/-/g, ''))
    expect(dump).toMatch(/[0-9a-f]{64}/)
  })
})

async function dumpSecrets() {
  return {
    devices: await rows(server.db(), sql`SELECT * FROM devices`),
    codes: await rows(server.db(), sql`SELECT * FROM enrollment_codes`),
  }
}

describe('authentication', () => {
  it('refuses a request without a token, with a wrong token and after revocation', async () => {
    const device = new TestDevice(server.url)
    await device.enroll(await server.ops.enrollmentCode('budi'))
    expect((await device.request('GET', '/v1/notices')).status).toBe(200)

    const none = await device.request('GET', '/v1/notices', { token: null })
    expect(none.status).toBe(401)
    expect((await errorOf(none)).code).toBe('unauthorized')

    const wrong = await device.request('GET', '/v1/notices', { token: 'x'.repeat(43) })
    expect(wrong.status).toBe(401)

    await server.ops.revokeDevice(device.deviceId)
    const revoked = await device.request('GET', '/v1/notices')
    expect(revoked.status).toBe(401)
    expect((await errorOf(revoked)).message).toMatch(/revoked/)
  })
})

describe('restart', () => {
  it('keeps reviewers, devices and tokens, on the same address', async () => {
    const device = new TestDevice(server.url)
    await device.enroll(await server.ops.enrollmentCode('ana'))
    const url = server.url
    await server.restart()
    expect(server.url).toBe(url)
    expect((await device.request('GET', '/v1/notices')).status).toBe(200)
  })
})
