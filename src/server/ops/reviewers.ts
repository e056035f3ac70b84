import { createHash, randomBytes, randomInt } from 'node:crypto'
import type { EnrollRequest, EnrollResponse } from '../../shared/sync-protocol'
import { one, rows, sql, type Db } from '../db/open'
import { prepared } from '../db/prepared'
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
 * A device enrolls with a code and gets a token. The code's row is locked first, so every
 * attempt with one code — a first use, its repeats, two devices racing — goes one after
 * another, in one transaction:
 *
 * - an unused, unexpired code is consumed (two devices racing with it cannot both win);
 * - a used code is refused, except a **repeat**: the same code, not expired, from the
 *   device it enrolled (same device id, same key, that device not revoked). The answer to
 *   the first attempt may have been lost, so the device gets a new token; the previous
 *   token's hash is replaced, so only the latest token works;
 * - the same device (id, reviewer and key) enrolling again with a new code gets a new
 *   token; the old one stops working. Another reviewer or key, or a revoked device, is
 *   refused and the code stays unused.
 */
export async function enroll(db: Db, request: EnrollRequest): Promise<EnrollResponse> {
  const codeHash = sha256Hex(normalizeCode(request.code))
  const token = randomBytes(32).toString('base64url')
  const tokenHash = sha256Hex(token)
  const refuse = (why: string) => new ServerError('enrollment_refused', `the enrollment code ${why}; ask the operator for a new one (tinjau-server reviewer code)`)
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const code = await one<{ reviewer_id: string; used: boolean; used_by_device: string | null; expired: boolean }>(
      t,
      sql`SELECT reviewer_id, used_at IS NOT NULL AS used, used_by_device, expires_at <= now() AS expired
          FROM enrollment_codes WHERE code_hash = ${codeHash} FOR UPDATE`,
    )
    if (!code) throw refuse('is not a code this server made')
    const existing = await one<{ reviewer_id: string; public_key: string; revoked: boolean }>(
      t,
      sql`SELECT reviewer_id, public_key, revoked_at IS NOT NULL AS revoked FROM devices WHERE id = ${request.device_id} FOR UPDATE`,
    )
    if (code.used) {
      const sameDevice = code.used_by_device === request.device_id && existing?.reviewer_id === code.reviewer_id && existing.public_key === request.public_key
      if (!sameDevice) throw refuse('has been used already')
      if (code.expired) throw refuse('has expired')
      if (existing.revoked) throw new ServerError('enrollment_refused', `device ${request.device_id} was revoked; a revoked device cannot enroll again`)
      // A repeat: the row is locked, but the update still says what it expects.
      const renewed = await rows(
        t,
        sql`UPDATE devices SET token_hash = ${tokenHash}, name = COALESCE(${request.device_name ?? null}, name)
            WHERE id = ${request.device_id} AND reviewer_id = ${code.reviewer_id} AND public_key = ${request.public_key} AND revoked_at IS NULL RETURNING id`,
      )
      if (renewed.length !== 1) throw refuse('has been used already')
    } else {
      if (code.expired) throw refuse('has expired')
      if (existing) {
        // Refused before the code is marked: it stays unused.
        if (existing.revoked) throw new ServerError('enrollment_refused', `device ${request.device_id} was revoked; a revoked device cannot enroll again`)
        if (existing.reviewer_id !== code.reviewer_id || existing.public_key !== request.public_key) {
          throw new ServerError('enrollment_refused', `device ${request.device_id} is enrolled already with another reviewer or key`)
        }
      }
      const used = await rows(
        t,
        sql`UPDATE enrollment_codes SET used_at = now(), used_by_device = ${request.device_id}
            WHERE code_hash = ${codeHash} AND used_at IS NULL AND expires_at > now() RETURNING code_hash`,
      )
      if (used.length !== 1) throw refuse('has been used already')
      if (existing) {
        await tx.execute(sql`UPDATE devices SET token_hash = ${tokenHash}, name = ${request.device_name ?? null} WHERE id = ${request.device_id}`)
      } else {
        await tx.execute(
          sql`INSERT INTO devices (id, reviewer_id, public_key, name, token_hash)
              VALUES (${request.device_id}, ${code.reviewer_id}, ${request.public_key}, ${request.device_name ?? null}, ${tokenHash})`,
        )
      }
    }
    const reviewer = await one<{ name: string }>(t, sql`SELECT name FROM reviewers WHERE id = ${code.reviewer_id}`)
    return { reviewer_id: code.reviewer_id, reviewer_name: reviewer?.name ?? code.reviewer_id, device_id: request.device_id, token }
  })
}

export interface AuthenticatedDevice {
  deviceId: string
  reviewerId: string
  publicKey: string
  /** sha256 of the token the request carried. */
  tokenHash: string
}

/**
 * Whether a token that did not authenticate is that of a device the organisation revoked
 * (its hash is kept on revocation): such a device is told so, and wipes its profile. A token
 * given up by its own device (revokeOwnToken) is replaced by a marker, so it is unknown.
 */
export async function isRevokedDeviceToken(db: Db, token: string): Promise<boolean> {
  const row = await one(db, sql`SELECT id FROM devices WHERE token_hash = ${sha256Hex(token)} AND revoked_at IS NOT NULL`)
  return row !== undefined
}

/** The device a token belongs to, or null for an unknown or revoked one. */
export async function authenticate(db: Db, token: string): Promise<AuthenticatedDevice | null> {
  const tokenHash = sha256Hex(token)
  const row = await one<{ id: string; reviewer_id: string; public_key: string }>(
    db,
    prepared(sql`SELECT id, reviewer_id, public_key FROM devices WHERE token_hash = ${tokenHash} AND revoked_at IS NULL`),
  )
  return row ? { deviceId: row.id, reviewerId: row.reviewer_id, publicKey: row.public_key, tokenHash } : null
}

/**
 * A device gives up its own token (`POST /v1/devices/self/revoke`, the client's unenroll):
 * the token stops working at once. Unlike the operator's `device revoke`, the device is not
 * revoked: its decisions and decision packs still count, and it may enroll again with a new
 * code. The stored hash is replaced by a marker no token hashes to (the column is NOT NULL
 * and unique); only if it is still this token's, so a newer token a concurrent enrollment
 * gave stays valid. Returns whether the token was still in force.
 */
export async function revokeOwnToken(db: Db, device: Pick<AuthenticatedDevice, 'deviceId' | 'tokenHash'>): Promise<boolean> {
  const marker = `revoked:${randomBytes(16).toString('hex')}`
  const done = await rows(db, sql`UPDATE devices SET token_hash = ${marker} WHERE id = ${device.deviceId} AND token_hash = ${device.tokenHash} RETURNING id`)
  return done.length > 0
}

/** The device's token stops working at once; decisions it pushed stay. */
export async function revokeDevice(db: Db, deviceId: string): Promise<void> {
  const revoked = await rows(db, sql`UPDATE devices SET revoked_at = now() WHERE id = ${deviceId} AND revoked_at IS NULL RETURNING id`)
  if (revoked.length > 0) return
  const known = await one(db, sql`SELECT id FROM devices WHERE id = ${deviceId}`)
  if (!known) throw new ServerError('not_found', `no device "${deviceId}"`)
}
