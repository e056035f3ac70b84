import { mkdirSync } from 'node:fs'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { createAdaptorServer } from '@hono/node-server'
import { openServerDb, type ServerDb } from './db/open'
import { runStartTasks } from './db/start-tasks'
import { createSyncApp } from './http/app'
import { dbRateLimiter } from './http/rate-limit'
import { openMediaStore, type MediaStore } from './media'
import { findPackageRoot } from '../core/package-root'
import { loadPolicy } from '../core/policy-loader'
import type { Policy } from '../shared/policy'

/**
 * The sync service: its database and media, opened; its HTTP app, listening. Nothing that
 * matters lives in this process between requests, so it can be stopped at any moment and
 * several can serve one database.
 */

export const DEFAULT_PORT = 8787
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 1200

export interface ServerPlace {
  /** A PostgreSQL URL; without it, PGlite in `<dataDir>/pg`. */
  databaseUrl?: string | undefined
  dataDir: string
  /** Default `<dataDir>/media`. */
  mediaDir?: string | undefined
}

export interface ServerStores {
  db: ServerDb
  media: MediaStore
  tmpDir: string
}

export async function openStores(place: ServerPlace): Promise<ServerStores> {
  mkdirSync(place.dataDir, { recursive: true })
  const tmpDir = path.join(place.dataDir, 'tmp')
  mkdirSync(tmpDir, { recursive: true })
  const media = openMediaStore(place.mediaDir ?? path.join(place.dataDir, 'media'))
  const db = await openServerDb({ databaseUrl: place.databaseUrl, dataDir: place.dataDir })
  try {
    await runStartTasks(db.db)
  } catch (err) {
    await db.close().catch(() => {})
    throw err
  }
  return { db, media, tmpDir }
}

export interface ServeOptions extends ServerPlace {
  port?: number
  host?: string
  rateLimitPerMinute?: number
  /** Default: the policy in resources/. */
  policy?: Policy
  leadOrigins?: readonly string[]
  secureCookie?: boolean
  /** Default: out/lead beside the built service. */
  leadConsoleDir?: string | null
  log?: (message: string, err?: unknown) => void
}

export interface RunningServer {
  url: string
  port: number
  stores: ServerStores
  /** Stop listening, let requests in flight finish (cut after a grace period), close the database. */
  close(): Promise<void>
}

const CLOSE_GRACE_MS = 2000

export async function serve(opts: ServeOptions): Promise<RunningServer> {
  const stores = await openStores(opts)
  try {
    const log = opts.log ?? ((message: string, err?: unknown) => console.error(`tinjau-server: ${message}`, err ?? ''))
    const app = createSyncApp({
      db: stores.db.db,
      media: stores.media,
      limiter: dbRateLimiter(stores.db.db, opts.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE),
      tmpDir: stores.tmpDir,
      log,
      policy: opts.policy ?? loadPolicy(path.join(findPackageRoot(__dirname), 'resources')),
      ...(opts.leadOrigins ? { leadOrigins: opts.leadOrigins } : {}),
      ...(opts.secureCookie === undefined ? {} : { secureCookie: opts.secureCookie }),
      leadConsoleDir: opts.leadConsoleDir === undefined ? path.join(findPackageRoot(__dirname), 'out', 'lead') : opts.leadConsoleDir,
    })
    const server = createAdaptorServer({ fetch: app.fetch, overrideGlobalObjects: false }) as Server
    const host = opts.host ?? '127.0.0.1'
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port ?? DEFAULT_PORT, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    const port = (server.address() as AddressInfo).port
    let closing: Promise<void> | null = null
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      port,
      stores,
      close() {
        closing ??= (async () => {
          const closed = new Promise<void>((resolve) => server.close(() => resolve()))
          server.closeIdleConnections()
          const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS)
          cut.unref()
          await closed
          clearTimeout(cut)
          await stores.db.close()
        })()
        return closing
      },
    }
  } catch (err) {
    await stores.db.close().catch(() => {})
    throw err
  }
}
