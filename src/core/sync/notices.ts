import type Database from 'better-sqlite3'
import { z } from 'zod'
import { Adjudication, NoticesResponse, SYNC_PATHS } from '../../shared/sync-protocol'
import { getSetting, setSetting } from '../settings'
import { SyncRequestError, type SyncHttp } from './http'

/**
 * What the server says this reviewer should know: adjudications on clips they decided. The
 * last list fetched is kept in the profile, so the app shows it offline and after a restart.
 */

const KEY = 'sync.notices'
const Stored = z.array(Adjudication)

export function storedNotices(sqlite: Database.Database): Adjudication[] {
  const raw = getSetting(sqlite, KEY)
  if (raw === undefined) return []
  try {
    const parsed = Stored.safeParse(JSON.parse(raw))
    return parsed.success ? parsed.data : []
  } catch {
    return []
  }
}

export function openNoticeCount(sqlite: Database.Database): number {
  return storedNotices(sqlite).filter((a) => a.state === 'open').length
}

export function clearNotices(sqlite: Database.Database): void {
  sqlite.prepare('DELETE FROM settings WHERE key = ?').run(KEY)
}

export async function fetchNotices(http: SyncHttp, reviewerId: string, signal: AbortSignal | undefined, retry: <T>(what: string, attempt: () => Promise<T>) => Promise<T>): Promise<Adjudication[]> {
  const what = 'fetch of notices'
  const res = await retry(what, () => http.json({ what, method: 'GET', path: SYNC_PATHS.notices, schema: NoticesResponse, signal }))
  if (res.reviewer_id !== reviewerId) {
    throw new SyncRequestError(what, 'invalid_response', `the server sent the notices of reviewer ${res.reviewer_id}, not of ${reviewerId}`, false)
  }
  return res.adjudications
}

export function storeNotices(sqlite: Database.Database, list: Adjudication[]): void {
  setSetting(sqlite, KEY, JSON.stringify(list))
}
