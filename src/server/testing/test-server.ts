import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Adjudication } from '../../shared/sync-protocol'
import { rows, sql, type Db } from '../db/open'
import { listAdjudications } from '../ops/adjudications'
import { assign, unassign } from '../ops/assignments'
import { loadPack } from '../ops/packs'
import { addReviewer, enrollmentCode, revokeDevice } from '../ops/reviewers'
import type { MediaStore } from '../media'
import { serve, type RunningServer } from '../server'
import { createTestDatabase, seedPgliteDataDir } from './pg-template'

/**
 * A real sync service for tests: HTTP on 127.0.0.1 (a free port), a fresh database (PGlite
 * from a migrated template, or — when TINJAU_TEST_STORE=postgres — a new database on the
 * PostgreSQL server that TINJAU_TEST_DATABASE_URL names; `npm run test:postgres` runs the
 * suites that way), a temporary data folder, and the operator's actions as functions. The first server of a test run may take ~15 s (it makes the PGlite template):
 * give beforeAll/beforeEach a timeout of a minute.
 */

import type { StoredDecisionRow } from '../ops/decisions'

export type { StoredDecisionRow }

export interface ServerOps {
  addReviewer(id: string, name: string): Promise<void>
  enrollmentCode(reviewerId: string, ttlMs?: number): Promise<string>
  loadPack(folderOrZip: string): Promise<{ packId: string; clips: number }>
  assign(packId: string, reviewerId: string, clipIds?: string[]): Promise<number>
  unassign(packId: string, reviewerId: string, clipIds?: string[]): Promise<number>
  decisions(): Promise<StoredDecisionRow[]>
  adjudications(): Promise<Adjudication[]>
  /** Beyond the agreed harness: the operator's `device revoke`. */
  revokeDevice(deviceId: string): Promise<void>
}

export interface TestServer {
  url: string
  dataDir: string
  ops: ServerOps
  stop(): Promise<void>
  restart(): Promise<void>
  /** Beyond the agreed harness, for the service's own tests: the open database (changes on restart). */
  db(): Db
  /** Likewise: the service's media store. */
  media(): MediaStore
  /** Likewise: runs `fn` while the service is stopped (a PGlite store is one process's), told where the store is; then starts it again. */
  offline<T>(fn: (place: { databaseUrl: string | undefined; dataDir: string }) => Promise<T>): Promise<T>
}

/**
 * The PostgreSQL server the tests should use, or undefined for PGlite (see
 * scripts/test-postgres.mjs). Given several in TINJAU_TEST_DATABASE_URLS, each of Vitest's
 * workers takes its own, so no two test files share a cluster's transaction ids.
 */
export function realPostgresUrl(): string | undefined {
  if (process.env.TINJAU_TEST_STORE !== 'postgres') return undefined
  const urls = (process.env.TINJAU_TEST_DATABASE_URLS ?? '').split(/\s+/).filter(Boolean)
  if (urls.length > 0) {
    const worker = Number(process.env.VITEST_POOL_ID ?? '1')
    return urls[(Math.max(1, worker) - 1) % urls.length]
  }
  const url = process.env.TINJAU_TEST_DATABASE_URL
  if (!url) throw new Error('TINJAU_TEST_STORE=postgres needs TINJAU_TEST_DATABASE_URL (see README, "Test it")')
  return url
}

export async function startTestServer(opts: { databaseUrl?: string; rateLimitPerMinute?: number } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tinjau-server-test-'))
  let database: { url: string; drop(): Promise<void> } | null = null
  try {
    const baseUrl = opts.databaseUrl ?? realPostgresUrl()
    if (baseUrl) database = await createTestDatabase(baseUrl)
    else await seedPgliteDataDir(dataDir)
    const place = {
      databaseUrl: database?.url,
      dataDir,
      // Tests make hundreds of requests in a moment: the limit is tested on its own.
      rateLimitPerMinute: opts.rateLimitPerMinute ?? 0,
      log: (message: string, err?: unknown) => {
        if (process.env.TINJAU_TEST_SERVER_LOG) console.error(`test server: ${message}`, err ?? '')
      },
    }
    let running: RunningServer = await serve({ ...place, port: 0 })
    const port = running.port
    const db = () => running.stores.db.db
    const ops: ServerOps = {
      addReviewer: (id, name) => addReviewer(db(), id, name),
      enrollmentCode: (reviewerId, ttlMs) => enrollmentCode(db(), reviewerId, ttlMs),
      loadPack: async (source) => {
        const r = await loadPack(db(), running.stores.media, source)
        return { packId: r.packId, clips: r.clips }
      },
      assign: (packId, reviewerId, clipIds) => assign(db(), packId, reviewerId, clipIds),
      unassign: (packId, reviewerId, clipIds) => unassign(db(), packId, reviewerId, clipIds),
      decisions: () =>
        rows<StoredDecisionRow>(
          db(),
          sql`SELECT id, clip_id, reviewer_id, device_id, revises_id, action, categories, decided_at FROM decisions
              ORDER BY batch_id, decided_at::timestamptz, id`,
        ),
      adjudications: () => listAdjudications(db()),
      revokeDevice: (deviceId) => revokeDevice(db(), deviceId),
    }
    let stopped = false
    return {
      url: running.url,
      dataDir,
      ops,
      db,
      media: () => running.stores.media,
      async offline(fn) {
        await running.close()
        try {
          return await fn({ databaseUrl: database?.url, dataDir })
        } finally {
          running = await serve({ ...place, port })
        }
      },
      async restart() {
        await running.close()
        running = await serve({ ...place, port })
      },
      async stop() {
        if (stopped) return
        stopped = true
        await running.close().catch(() => {})
        await database?.drop().catch(() => {})
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    await database?.drop().catch(() => {})
    rmSync(dataDir, { recursive: true, force: true })
    throw err
  }
}
