import { existsSync, rmSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
// The CLI against the real sync service; the CLI never imports the server itself.
// eslint-disable-next-line no-restricted-imports
import { startTestServer, type TestServer } from '../server/testing/test-server'
import { profileKeyPath } from '../core/profile-crypto/profile-key-file'
import { tempDir } from '../core/testing/make-pack'
import { openTestTinjau } from '../core/testing/open-test-tinjau'
import { TEST_PASSPHRASE } from '../core/testing/test-profile-key'
import { runTinjau, tinjau } from './testing/run-tinjau'

let server: TestServer
const base = tempDir('tinjau-cli-revoked-')

beforeAll(async () => {
  server = await startTestServer()
}, 120_000)

afterAll(async () => {
  await server?.stop()
  rmSync(base, { recursive: true, force: true })
})

it('tinjau sync on a device the organisation revoked wipes the profile; the CLI then cannot open it', async () => {
  const dataDir = path.join(base, 'profile')
  await server.ops.addReviewer('cli-rvk', 'CLI Reviewer')
  const enrolled = await tinjau(dataDir, 'enroll', server.url, await server.ops.enrollmentCode('cli-rvk'))
  expect(enrolled.code, enrolled.stderr).toBe(0)
  expect((await tinjau(dataDir, 'sync')).code).toBe(0)
  const t = openTestTinjau(dataDir)
  const deviceId = t.identity.deviceId
  t.close()
  await server.ops.revokeDevice(deviceId)

  const r = await tinjau(dataDir, 'sync')
  expect(r.code).toBe(2)
  expect(r.stderr).toMatch(
    /^tinjau: this device was revoked by your organisation; its profile was wiped: its key is gone, so the decisions, clips and media on this device can no longer be read — sync has stopped for good/,
  )
  expect(existsSync(profileKeyPath(dataDir))).toBe(false)

  const after = await runTinjau(['--data-dir', dataDir, 'queue'], { env: { TINJAU_PASSPHRASE: TEST_PASSPHRASE } })
  expect(after.code).toBe(4)
  expect(after.stderr).toMatch(/was wiped \(its key file .* is gone\): its data can no longer be read/)
  expect(existsSync(profileKeyPath(dataDir))).toBe(false)
}, 120_000)
