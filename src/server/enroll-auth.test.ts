import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EnrollResponse, HealthResponse, PROTOCOL_HEADER, RevokeSelfResponse, SYNC_PATHS } from '../shared/sync-protocol'
import { rows, sql } from './db/open'
import { normalizeCode, sha256Hex } from './ops/reviewers'
import { errorOf } from './testing/responses'
import { startTestServer, type TestServer } from './testing/test-server'
import { TestDevice } from './testing/test-device'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
  await server.ops.addReviewer('ana', 'Ana')
  await server.ops.addReviewer('budi', 'Budi')
}, 120_000)
afterAll(() => server?.stop())

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

  it('refuses an enrollment not signed by the key it enrolls, and the code stays unused', async () => {
    const code = await server.ops.enrollmentCode('ana')
    const device = new TestDevice(server.url)
    const other = new TestDevice(server.url)
    const json = { code, device_id: device.deviceId, public_key: device.publicKey }
    const body = Buffer.from(JSON.stringify(json))
    // No signature, a signature by another key, and one over other bytes.
    const unsigned = await device.request('POST', '/v1/enroll', { body, headers: { 'tinjau-signature': '' } })
    const byOther = await device.request('POST', '/v1/enroll', { body, headers: { 'tinjau-signature': other.sign(body) } })
    const otherBytes = await device.request('POST', '/v1/enroll', { body, headers: { 'tinjau-signature': device.sign(Buffer.from(`${body} `)) } })
    for (const res of [unsigned, byOther, otherBytes]) {
      expect(res.status).toBe(401)
      expect((await errorOf(res)).code).toBe('bad_signature')
    }
    const unused = await rows<{ used_at: string | null }>(server.db(), sql`SELECT used_at FROM enrollment_codes WHERE code_hash = ${sha256Hex(normalizeCode(code))}`)
    expect(unused).toEqual([{ used_at: null }])
    expect((await device.enroll(code)).device_id).toBe(device.deviceId)
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

/** The status of an authenticated request with this token. */
async function statusWith(device: TestDevice, token: string): Promise<number> {
  return (await device.request('GET', '/v1/notices', { token })).status
}

/** The raw enroll request, without TestDevice.enroll's throw. */
function enrollAs(device: TestDevice, code: string, publicKey = device.publicKey): Promise<Response> {
  return device.request('POST', '/v1/enroll', { json: { code, device_id: device.deviceId, public_key: publicKey } })
}

describe('a repeated enrollment (the first answer was lost)', () => {
  it('the same code, device and key again gets a new token; only the newest works', async () => {
    const code = await server.ops.enrollmentCode('ana')
    const device = new TestDevice(server.url)
    const first = await device.enroll(code)
    const again = await enrollAs(device, code)
    expect(again.status).toBe(200)
    const second = EnrollResponse.parse(await again.json())
    expect(second).toMatchObject({ reviewer_id: 'ana', reviewer_name: 'Ana', device_id: device.deviceId })
    expect(second.token).not.toBe(first.token)
    expect(await statusWith(device, first.token)).toBe(401)
    expect(await statusWith(device, second.token)).toBe(200)
    // Typed differently, it is the same code.
    const third = await enrollAs(device, code.replace(/-/g, '').toLowerCase())
    expect(third.status).toBe(200)
    const { token } = EnrollResponse.parse(await third.json())
    expect(await statusWith(device, second.token)).toBe(401)
    expect(await statusWith(device, token)).toBe(200)
  })

  it('refuses a used code from another device id, or from the same id with another key; the token in force keeps working', async () => {
    const code = await server.ops.enrollmentCode('ana')
    const device = new TestDevice(server.url)
    const { token } = await device.enroll(code)

    const other = new TestDevice(server.url)
    const byOther = await enrollAs(other, code)
    expect(byOther.status).toBe(403)
    const e1 = await errorOf(byOther)
    expect(e1.code).toBe('enrollment_refused')
    expect(e1.message).toMatch(/used already/)

    // The other device's id with this device's public key: without its private half the
    // request cannot even be signed.
    const otherId = await enrollAs(other, code, device.publicKey)
    expect(otherId.status).toBe(401)
    expect((await errorOf(otherId)).code).toBe('bad_signature')

    const impostor = new TestDevice(server.url, device.deviceId)
    const otherKey = await enrollAs(impostor, code)
    expect(otherKey.status).toBe(403)
    expect((await errorOf(otherKey)).message).toMatch(/used already/)

    expect(await statusWith(device, token)).toBe(200)
  })

  it('refuses a repeat once the code has expired', async () => {
    const code = await server.ops.enrollmentCode('ana')
    const device = new TestDevice(server.url)
    const { token } = await device.enroll(code)
    // The clock moves on past the code's expiry.
    await server.db().execute(sql`UPDATE enrollment_codes SET expires_at = now() - interval '1 second' WHERE code_hash = ${sha256Hex(normalizeCode(code))}`)
    const res = await enrollAs(device, code)
    expect(res.status).toBe(403)
    const error = await errorOf(res)
    expect(error.code).toBe('enrollment_refused')
    expect(error.message).toMatch(/expired/)
    expect(await statusWith(device, token)).toBe(200)
  })

  it('refuses a repeat for a device revoked since', async () => {
    const code = await server.ops.enrollmentCode('ana')
    const device = new TestDevice(server.url)
    await device.enroll(code)
    await server.ops.revokeDevice(device.deviceId)
    const res = await enrollAs(device, code)
    expect(res.status).toBe(403)
    expect((await errorOf(res)).message).toMatch(/revoked/)
  })

  it('two repeats at once: both answered, exactly one token works afterwards', async () => {
    const code = await server.ops.enrollmentCode('budi')
    const device = new TestDevice(server.url)
    const first = await device.enroll(code)
    const answers = await Promise.all([enrollAs(device, code), enrollAs(device, code)])
    const tokens = [first.token]
    for (const res of answers) {
      expect(res.status).toBe(200)
      tokens.push(EnrollResponse.parse(await res.json()).token)
    }
    expect(new Set(tokens).size).toBe(3)
    const statuses = await Promise.all(tokens.map((t) => statusWith(device, t)))
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)
    expect(statuses[0]).toBe(401)
  })

  it('a first use and its repeat at once: exactly one token works; a second device racing for the code loses', async () => {
    const code = await server.ops.enrollmentCode('budi')
    const device = new TestDevice(server.url)
    const answers = await Promise.all([enrollAs(device, code), enrollAs(device, code)])
    const tokens: string[] = []
    for (const res of answers) {
      expect(res.status).toBe(200)
      tokens.push(EnrollResponse.parse(await res.json()).token)
    }
    const statuses = await Promise.all(tokens.map((t) => statusWith(device, t)))
    expect(statuses.filter((s) => s === 200)).toHaveLength(1)

    const fresh = await server.ops.enrollmentCode('budi')
    const a = new TestDevice(server.url)
    const b = new TestDevice(server.url)
    const race = await Promise.all([enrollAs(a, fresh), enrollAs(b, fresh)])
    expect(race.map((r) => r.status).sort()).toEqual([200, 403])
  })
})

describe('a device revokes its own token', () => {
  it('answers { revoked: true }; afterwards that token is unauthorized', async () => {
    const device = new TestDevice(server.url)
    const { token } = await device.enroll(await server.ops.enrollmentCode('ana'))
    const res = await device.request('POST', SYNC_PATHS.revokeSelf)
    expect(res.status).toBe(200)
    expect(res.headers.get(PROTOCOL_HEADER)).toBe('1')
    expect(RevokeSelfResponse.parse(await res.json())).toEqual({ revoked: true })

    const after = await device.request('GET', '/v1/notices', { token })
    expect(after.status).toBe(401)
    expect((await errorOf(after)).code).toBe('unauthorized')
    const again = await device.request('POST', SYNC_PATHS.revokeSelf, { token })
    expect(again.status).toBe(401)
  })

  it('needs a token', async () => {
    const device = new TestDevice(server.url)
    const none = await device.request('POST', SYNC_PATHS.revokeSelf, { token: null })
    expect(none.status).toBe(401)
    expect((await errorOf(none)).code).toBe('unauthorized')
    const wrong = await device.request('POST', SYNC_PATHS.revokeSelf, { token: 'x'.repeat(43) })
    expect(wrong.status).toBe(401)
  })

  it("touches only the caller's token: other devices work, and the device may enroll again with a new code", async () => {
    const device = new TestDevice(server.url)
    const colleague = new TestDevice(server.url)
    await device.enroll(await server.ops.enrollmentCode('ana'))
    await colleague.enroll(await server.ops.enrollmentCode('ana'))
    expect((await device.request('POST', SYNC_PATHS.revokeSelf)).status).toBe(200)
    expect((await colleague.request('GET', '/v1/notices')).status).toBe(200)
    const { token } = await device.enroll(await server.ops.enrollmentCode('ana'))
    expect(await statusWith(device, token)).toBe(200)
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
    expect((await errorOf(wrong)).code).toBe('unauthorized')

    await server.ops.revokeDevice(device.deviceId)
    // Told apart from an unknown token: the device wipes its profile on this answer.
    const revoked = await device.request('GET', '/v1/notices')
    expect(revoked.status).toBe(401)
    expect(await errorOf(revoked)).toEqual({ code: 'device_revoked', message: 'this device was revoked by its organisation; it must wipe its profile and may not enroll again' })
    expect((await device.request('POST', SYNC_PATHS.revokeSelf)).status).toBe(401)
  })

  it('a token the device gave up itself (unenroll) is unknown, not revoked', async () => {
    const device = new TestDevice(server.url)
    await device.enroll(await server.ops.enrollmentCode('budi'))
    const token = device.token
    expect((await device.request('POST', SYNC_PATHS.revokeSelf)).status).toBe(200)
    const after = await device.request('GET', '/v1/notices', { token })
    expect(after.status).toBe(401)
    expect((await errorOf(after)).code).toBe('unauthorized')
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
