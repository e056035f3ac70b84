import { createHash, randomBytes, randomInt } from 'node:crypto'
import type { EnrollRequest, EnrollResponse } from '../../shared/sync-protocol'
import { one, rows, sql, type Db } from '../db/open'
import { ServerError } from '../errors'

/**
 * Reviewers, their one-time enrollment codes and their devices. Codes and tokens are
 * secrets: only their sha256 is stored, so a copy of the database lets no one enroll or
 * pass as a device.
 */

export const REVIEWER_ID = /^[A-Za-z0-9._@-]{1,128}$/
export const DEFAULT_CODE_TTL_MS = 7 * 24 * 3600 * 1000

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex')
}

export async function addReviewer(db: Db, id: string, name: string): Promise<void> {
  if (!REVIEWER_ID.test(id)) throw new ServerError('invalid_request', `reviewer id "${id}" must be 1–128 characters of A–Z a–z 0–9 . _ @ -`)
  if (name.trim() === '' || name.length > 200) throw new ServerError('invalid_request', 'a reviewer name is 1–200 characters')
  const added = await rows(db, sql`INSERT INTO reviewers (id, name) VALUES (${id}, ${name.trim()}) ON CONFLICT DO NOTHING RETURNING id`)
  if (added.length === 0) throw new ServerError('invalid_request', `reviewer "${id}" exists already`)
}

export interface ReviewerInfo {
  id: string
  name: string
  created_at: string
  devices: { id: string; name: string | null; public_key: string; enrolled_at: string; revoked_at: string | null }[]
}

export async function listReviewers(db: Db): Promise<ReviewerInfo[]> {
  const list = await rows<{ id: string; name: string; created_at: string; devices: ReviewerInfo['devices'] | null }>(
    db,
    sql`SELECT r.id, r.name, r.created_at::text AS created_at,
          (SELECT json_agg(json_build_object('id', d.id, 'name', d.name, 'public_key', d.public_key,
                  'enrolled_at', d.enrolled_at, 'revoked_at', d.revoked_at) ORDER BY d.enrolled_at)
             FROM devices d WHERE d.reviewer_id = r.id) AS devices
        FROM reviewers r ORDER BY r.id`,
  )
  return list.map((r) => ({ ...r, devices: r.devices ?? [] }))
}

// Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper survives.
const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** Upper-cased, without the dashes and spaces a person may type. */
export function normalizeCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '')
}

/** A new one-time code for the reviewer, shown once: 20 characters (100 bits) in groups of five. */
export async function enrollmentCode(db: Db, reviewerId: string, ttlMs = DEFAULT_CODE_TTL_MS): Promise<string> {
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new ServerError('invalid_request', 'a code must be valid for some time')
  const reviewer = await one(db, sql`SELECT id FROM reviewers WHERE id = ${reviewerId}`)
  if (!reviewer) throw new ServerError('not_found', `no reviewer "${reviewerId}"`)
  let raw = ''
  for (let i = 0; i < 20; i++) raw += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
  const expires = new Date(Date.now() + ttlMs).toISOString()
  await db.execute(sql`INSERT INTO enrollment_codes (code_hash, reviewer_id, expires_at) VALUES (${sha256Hex(raw)}, ${reviewerId}, ${expires})`)
  return raw.match(/.{5}/g)!.join('-')
}

/**
 * A device enrolls with a code: the code is consumed (atomically: two devices racing with
 * the same code cannot both win) and the device gets a token. The same device (id, reviewer
 * and key) enrolling again with a new code gets a new token; the old one stops working.
 */
export async function enroll(db: Db, request: EnrollRequest): Promise<EnrollResponse> {
  const codeHash = sha256Hex(normalizeCode(request.code))
  const token = randomBytes(32).toString('base64url')
  const tokenHash = sha256Hex(token)
  return db.transaction(async (tx) => {
    const used = await one<{ reviewer_id: string }>(
      tx as unknown as Db,
      sql`UPDATE enrollment_codes SET used_at = now(), used_by_device = ${request.device_id}
          WHERE code_hash = ${codeHash} AND used_at IS NULL AND expires_at > now() RETURNING reviewer_id`,
    )
    if (!used) {
      const known = await one<{ used: boolean }>(tx as unknown as Db, sql`SELECT used_at IS NOT NULL AS used FROM enrollment_codes WHERE code_hash = ${codeHash}`)
      const why = !known ? 'is not a code this server made' : known.used ? 'has been used already' : 'has expired'
      throw new ServerError('enrollment_refused', `the enrollment code ${why}; ask the operator for a new one (tinjau-server reviewer code)`)
    }
    const existing = await one<{ reviewer_id: string; public_key: string; revoked: boolean }>(
      tx as unknown as Db,
      sql`SELECT reviewer_id, public_key, revoked_at IS NOT NULL AS revoked FROM devices WHERE id = ${request.device_id} FOR UPDATE`,
    )
    if (existing) {
      // Thrown inside the transaction: the code stays unused.
      if (existing.revoked) throw new ServerError('enrollment_refused', `device ${request.device_id} was revoked; a revoked device cannot enroll again`)
      if (existing.reviewer_id !== used.reviewer_id || existing.public_key !== request.public_key) {
        throw new ServerError('enrollment_refused', `device ${request.device_id} is enrolled already with another reviewer or key`)
      }
      await tx.execute(sql`UPDATE devices SET token_hash = ${tokenHash}, name = ${request.device_name ?? null} WHERE id = ${request.device_id}`)
    } else {
      await tx.execute(
        sql`INSERT INTO devices (id, reviewer_id, public_key, name, token_hash)
            VALUES (${request.device_id}, ${used.reviewer_id}, ${request.public_key}, ${request.device_name ?? null}, ${tokenHash})`,
      )
    }
    const reviewer = await one<{ name: string }>(tx as unknown as Db, sql`SELECT name FROM reviewers WHERE id = ${used.reviewer_id}`)
    return { reviewer_id: used.reviewer_id, reviewer_name: reviewer?.name ?? used.reviewer_id, device_id: request.device_id, token }
  })
}

export interface AuthenticatedDevice {
  deviceId: string
  reviewerId: string
  publicKey: string
}

/** The device a token belongs to, or null for an unknown or revoked one. */
export async function authenticate(db: Db, token: string): Promise<AuthenticatedDevice | null> {
  const row = await one<{ id: string; reviewer_id: string; public_key: string }>(
    db,
    sql`SELECT id, reviewer_id, public_key FROM devices WHERE token_hash = ${sha256Hex(token)} AND revoked_at IS NULL`,
  )
  return row ? { deviceId: row.id, reviewerId: row.reviewer_id, publicKey: row.public_key } : null
}

/** The device's token stops working at once; decisions it pushed stay. */
export async function revokeDevice(db: Db, deviceId: string): Promise<void> {
  const revoked = await rows(db, sql`UPDATE devices SET revoked_at = now() WHERE id = ${deviceId} AND revoked_at IS NULL RETURNING id`)
  if (revoked.length > 0) return
  const known = await one(db, sql`SELECT id FROM devices WHERE id = ${deviceId}`)
  if (!known) throw new ServerError('not_found', `no device "${deviceId}"`)
}
