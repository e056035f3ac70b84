import { createHash } from 'node:crypto'
import type Database from 'better-sqlite3'
import type { AuditCheck } from '../shared/domain'

/**
 * The audit trail: append-only (triggers refuse UPDATE/DELETE) and hash-chained, so a
 * row changed behind our back — by an editor on the SQLite file, say — is detectable.
 */

export const GENESIS_HASH = '0'.repeat(64)

export interface AuditEntry {
  at: string
  actor: string
  deviceId: string
  kind: string
  subject: string
  payload: unknown
}

interface AuditRow {
  seq: number
  at: string
  actor: string
  device_id: string
  kind: string
  subject: string
  payload: string
  prev_hash: string
  hash: string
}

export function auditHash(prevHash: string, seq: number, e: Omit<AuditEntry, 'payload'>, payloadJson: string): string {
  // Length-prefixed fields: no two different entries can serialise to the same bytes.
  const h = createHash('sha256')
  for (const part of [prevHash, String(seq), e.at, e.actor, e.deviceId, e.kind, e.subject, payloadJson]) {
    h.update(`${Buffer.byteLength(part)}:`)
    h.update(part)
  }
  return h.digest('hex')
}

const statements = new WeakMap<Database.Database, { last: Database.Statement; insert: Database.Statement }>()

function prepared(sqlite: Database.Database) {
  let s = statements.get(sqlite)
  if (!s) {
    s = {
      last: sqlite.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
      insert: sqlite.prepare(
        'INSERT INTO audit_log (seq, at, actor, device_id, kind, subject, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    }
    statements.set(sqlite, s)
  }
  return s
}

/** Append one entry. Call inside the transaction that makes the change it records. */
export function appendAudit(sqlite: Database.Database, entry: AuditEntry): { seq: number; hash: string } {
  const s = prepared(sqlite)
  const last = s.last.get() as { seq: number; hash: string } | undefined
  const seq = (last?.seq ?? 0) + 1
  const prevHash = last?.hash ?? GENESIS_HASH
  const payloadJson = JSON.stringify(entry.payload ?? null)
  const hash = auditHash(prevHash, seq, entry, payloadJson)
  s.insert.run(seq, entry.at, entry.actor, entry.deviceId, entry.kind, entry.subject, payloadJson, prevHash, hash)
  return { seq, hash }
}

/** Walk the whole chain; report the first entry that does not follow from its predecessor. */
export function verifyAudit(sqlite: Database.Database): AuditCheck {
  let prev = GENESIS_HASH
  let expectedSeq = 1
  let entries = 0
  for (const row of sqlite.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    entries++
    const recomputed = auditHash(prev, row.seq, { at: row.at, actor: row.actor, deviceId: row.device_id, kind: row.kind, subject: row.subject }, row.payload)
    if (row.seq !== expectedSeq || row.prev_hash !== prev || row.hash !== recomputed) {
      return { ok: false, entries, brokenAt: row.seq }
    }
    prev = row.hash
    expectedSeq++
  }
  return { ok: true, entries, brokenAt: null }
}
