import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SyncErrorBody } from '../shared/sync-protocol'
import { TestDevice } from './testing/test-device'
import { startTestServer, type TestServer } from './testing/test-server'

const LIMIT = 5
let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ rateLimitPerMinute: LIMIT })
  await server.ops.addReviewer('ana', 'Ana')
}, 120_000)
afterAll(() => server?.stop())

describe('rate limit', () => {
  it('answers 429 with Retry-After once a device passes its limit in a minute', async () => {
    const device = new TestDevice(server.url)
    await device.enroll(await server.ops.enrollmentCode('ana'))
    // Windows are clock minutes: 2×LIMIT+1 requests overrun one window even if a minute turns over meanwhile.
    const statuses: number[] = []
    let limited: Response | null = null
    for (let i = 0; i < 2 * LIMIT + 1 && !limited; i++) {
      const res = await device.request('GET', '/v1/notices')
      statuses.push(res.status)
      if (res.status === 429) limited = res
      else await res.arrayBuffer()
    }
    expect(limited).not.toBeNull()
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(LIMIT)
    const retry = Number(limited!.headers.get('retry-after'))
    expect(retry).toBeGreaterThanOrEqual(1)
    expect(retry).toBeLessThanOrEqual(60)
    expect(SyncErrorBody.parse(await limited!.json()).error.code).toBe('rate_limited')
  })

  it('counts requests without a valid token by address', async () => {
    const stranger = new TestDevice(server.url)
    let limited = false
    for (let i = 0; i < 2 * LIMIT + 1 && !limited; i++) {
      const res = await stranger.request('GET', '/v1/notices', { token: 'guess-' + i })
      limited = res.status === 429
      await res.arrayBuffer()
    }
    expect(limited).toBe(true)
  })
})
