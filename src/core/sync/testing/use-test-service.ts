import { rmSync } from 'node:fs'
import { afterAll, beforeAll } from 'vitest'
// These helpers put the client against the real sync service; core code never imports the server.
// eslint-disable-next-line no-restricted-imports
import { startTestServer, type TestServer } from '../../../server/testing/test-server'

/**
 * Call at a test file's top level: one real sync service for the file's tests, handed to
 * `started` before they run (the first server of a run makes the PGlite template: allow a
 * minute) and stopped after them, when the folders the tests listed in `dirs` are removed.
 */
export function useTestService(started: (server: TestServer) => void, dirs: string[] = []): void {
  let server: TestServer | undefined
  beforeAll(async () => {
    server = await startTestServer()
    started(server)
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })
}
