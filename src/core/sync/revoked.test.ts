import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
import { PROTOCOL_HEADER, SYNC_PATHS } from '../../shared/sync-protocol'
// The client against the real sync service is the point of this file; core code never imports the server.
// eslint-disable-next-line no-restricted-imports
import type { TestServer } from '../../server/testing/test-server'
import { DEVICE_KEY_FILE } from '../device-key'
import { profileKeyPath } from '../profile-crypto/profile-key-file'
import { profileAccess, unlockProfile } from '../profile-crypto/unlock-profile'
import { tempDir } from '../testing/make-pack'
import { ensureTestProfileKey, TEST_PASSPHRASE, testProfileKeys } from '../testing/test-profile-key'
import type { Tinjau } from '../tinjau'
import type { SyncStatus } from './state'
import { SyncRunError, type SyncClient, type SyncClientOptions } from './sync-client'
import { syncClientFor } from './testing/client-for'
import { openQuietProfile } from './testing/open-profile'
import { packFolder } from './testing/sync-world'
import { SYNC_TOKEN_FILE, TokenStore } from './token-store'
import { useTestService } from './testing/use-test-service'

/**
 * A device the organisation revoked wipes its profile on its next contact (issue 15): the
 * real service answers its token `401 device_revoked`; the client removes the profile's key
 * file (and its sync token and device key), writes nothing more, stops, and says why. A
 * plain 401, a 5xx or an unreachable server wipe nothing.
 */

let server: TestServer
const dirs: string[] = []
const profiles: Tinjau[] = []
const clients: SyncClient[] = []
let serial = 0

useTestService((s) => (server = s), dirs)

afterEach(() => {
  for (const c of clients.splice(0)) c.close()
  for (const t of profiles.splice(0)) t.close()
})

interface Device {
  t: Tinjau & { dataDir: string }
  client: SyncClient
  statuses: SyncStatus[]
  requests: string[]
}

/** An encrypted profile (the test key file), enrolled as a new reviewer with a pack assigned and pulled, one decision made. */
async function enrolledEncryptedDevice(extra: Partial<SyncClientOptions> = {}): Promise<Device> {
  const dataDir = path.join(tempDir('tinjau-revoked-'), 'profile')
  dirs.push(path.dirname(dataDir))
  await ensureTestProfileKey(dataDir)
  const t = openQuietProfile(dataDir, testProfileKeys(dataDir))
  profiles.push(t)
  const requests: string[] = []
  const counting: typeof fetch = (input, init) => {
    requests.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`)
    return (extra.fetch ?? fetch)(input, init)
  }
  const client = syncClientFor(t, { requestBackoff: { baseMs: 1, factor: 2, capMs: 5 }, maxAttempts: 3, timeoutMs: 5_000, ...extra, fetch: counting })
  clients.push(client)
  const statuses: SyncStatus[] = []
  client.onStatus((s) => statuses.push(s))
  const reviewer = `rvk-${++serial}-${Date.now()}`
  await server.ops.addReviewer(reviewer, `Reviewer ${serial}`)
  await client.enroll(server.url, await server.ops.enrollmentCode(reviewer))
  const pack = packFolder(`rvk${serial}x${Date.now().toString(36)}`, 3)
  dirs.push(pack.dir)
  await server.ops.loadPack(pack.dir)
  await server.ops.assign(pack.packId, reviewer)
  await client.syncNow()
  t.handlers['decision.record'](DecisionDraft.parse({ clipId: pack.ids[0]!, categories: ['violence.arson'], action: 'remove', rationale: 'sets a car on fire' }))
  return { t, client, statuses, requests }
}

const credentialFiles = (t: { dataDir: string }) => [SYNC_TOKEN_FILE, DEVICE_KEY_FILE].filter((f) => existsSync(path.join(t.dataDir, f)))
const outboxRows = (t: Tinjau) => t.store.sqlite.prepare('SELECT seq, attempts, last_error, acked_at, rejected_at FROM outbox ORDER BY seq').all()
const auditCount = (t: Tinjau) => t.store.sqlite.prepare('SELECT count(*) FROM audit_log').pluck().get()

describe('a device the organisation revoked', () => {
  test('wipes its profile on its next sync: key file and credentials gone, nothing recorded, sync stopped, the profile cannot be unlocked', async () => {
    const { t, client, statuses, requests } = await enrolledEncryptedDevice()
    t.deviceKey()
    expect(credentialFiles(t)).toEqual([SYNC_TOKEN_FILE, DEVICE_KEY_FILE])
    const outbox = outboxRows(t)
    const audits = auditCount(t)
    await server.ops.revokeDevice(t.identity.deviceId)

    const err = await client.syncNow().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SyncRunError)
    const message =
      'this device was revoked by your organisation; its profile was wiped: its key is gone, so the decisions, clips and media on this device can no longer be read'
    expect((err as SyncRunError).failure).toMatchObject({ code: 'device_revoked', message })
    expect((err as SyncRunError).code).toBe('unauthorized')
    expect(client.status()).toMatchObject({ state: 'error', code: 'device_revoked', message })
    expect(statuses.at(-1)).toMatchObject({ state: 'error', code: 'device_revoked' })

    expect(existsSync(profileKeyPath(t.dataDir))).toBe(false)
    expect(credentialFiles(t)).toEqual([])
    expect(profileAccess(t.dataDir)).toEqual({ state: 'wiped' })
    await expect(unlockProfile(t.dataDir, { passphrase: TEST_PASSPHRASE })).rejects.toMatchObject({ code: 'missing' })
    // Nothing more was written: the failed push was not recorded against the outbox, no audit entry.
    expect(outboxRows(t)).toEqual(outbox)
    expect(auditCount(t)).toBe(audits)

    // Stopped: no more requests, whatever is asked.
    const sent = requests.length
    await expect(client.syncNow()).rejects.toMatchObject({ failure: { code: 'device_revoked' } })
    await expect(client.enroll(server.url, 'AAAAA-BBBBB-CCCCC-DDDDD')).rejects.toMatchObject({ failure: { code: 'device_revoked' } })
    await expect(client.unenroll()).rejects.toMatchObject({ failure: { code: 'device_revoked' } })
    expect(requests.length).toBe(sent)
    expect(existsSync(profileKeyPath(t.dataDir))).toBe(false)
  }, 60_000)

  test('the background schedule stops at the wipe', async () => {
    const { t, client, requests } = await enrolledEncryptedDevice()
    await server.ops.revokeDevice(t.identity.deviceId)
    const failed = new Promise<void>((resolve) => client.onStatus((s) => s.state === 'error' && s.code === 'device_revoked' && resolve()))
    const stop = client.startSchedule(10)
    await failed
    const sent = requests.length
    await new Promise((r) => setTimeout(r, 200))
    stop()
    expect(requests.length).toBe(sent)
    expect(client.status().nextRunAt).toBeNull()
    expect(existsSync(profileKeyPath(t.dataDir))).toBe(false)
  }, 60_000)
})

describe('no wipe without the explicit answer', () => {
  test('a plain 401 (a token given up, unknown to the server): paused as unauthorized, the profile kept', async () => {
    const { t, client } = await enrolledEncryptedDevice()
    const token = new TokenStore(t.dataDir).read()!
    const res = await fetch(`${server.url}${SYNC_PATHS.revokeSelf}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, [PROTOCOL_HEADER]: '1' } })
    expect(res.status).toBe(200)

    await expect(client.syncNow()).rejects.toMatchObject({ failure: { code: 'unauthorized' } })
    expect(client.status()).toMatchObject({ state: 'error', code: 'unauthorized' })
    expect(existsSync(profileKeyPath(t.dataDir))).toBe(true)
    expect(credentialFiles(t)).toContain(SYNC_TOKEN_FILE)
    await expect(unlockProfile(t.dataDir, { passphrase: TEST_PASSPHRASE })).resolves.toBeTruthy()
  }, 60_000)

  test('5xx, a device_revoked code on another status, and an unreachable server: no wipe', async () => {
    let answer: (() => Response) | null = null
    const { t, client } = await enrolledEncryptedDevice({ fetch: async (input, init) => (answer ? answer() : fetch(input, init)) })
    const errorBody = (code: string) => JSON.stringify({ error: { code, message: 'test' } })
    const cases: [string, () => Response][] = [
      ['server_error', () => new Response(errorBody('server_error'), { status: 500 })],
      ['server_error', () => new Response(errorBody('device_revoked'), { status: 503 })],
      ['forbidden', () => new Response(errorBody('device_revoked'), { status: 403 })],
      [
        'server_error',
        () => {
          throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } })
        },
      ],
    ]
    for (const [code, make] of cases) {
      answer = make
      const err = (await client.syncNow().catch((e: unknown) => e)) as SyncRunError
      expect(err).toBeInstanceOf(SyncRunError)
      expect(err.failure.code, err.message).toBe(code)
      expect(existsSync(profileKeyPath(t.dataDir))).toBe(true)
    }
    await server.ops.revokeDevice(t.identity.deviceId)
    answer = null
    await expect(client.syncNow()).rejects.toMatchObject({ failure: { code: 'device_revoked' } })
    expect(existsSync(profileKeyPath(t.dataDir))).toBe(false)
  }, 60_000)
})
