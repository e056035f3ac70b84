import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import { isoSql } from './assignments'
import { one, rows, sql, type Db } from '../db/open'
import { ServerError } from '../errors'
import { REVIEWER_ID, sha256Hex } from './reviewers'

/**
 * Lead accounts (the lead console's users) and their sessions.
 *
 * - Passwords are kept as scrypt hashes in a self-describing string
 *   (`scrypt$N$r$p$saltB64$hashB64`), so the cost can be raised later: a hash made with
 *   other parameters still verifies, and is replaced by one with today's at the next
 *   successful sign-in.
 * - A session is a random token (`tjl_` + 32 bytes, base64url) the browser holds in a
 *   cookie; only its sha256 is stored, in `lead_sessions`, a table no device token is ever
 *   looked up in (device tokens have no prefix and live in `devices`). It ends 12 h after
 *   sign-in, after 2 h without use, at sign-out, when the lead is disabled or their
 *   password is changed.
 * - Sign-in attempts are counted per address and per lead id in `rate_limits` over
 *   15-minute windows, before the password is looked at; an unknown id costs as much time
 *   as a known one and gets the same answer.
 * - Every change to an account, and every sign-in (failed or not), is a `service_audit` row.
 *
 * All times are the database's clock, as everywhere in the service: several instances
 * may serve one database.
 */

/** Lead ids follow the reviewer id rule (ops/reviewers.ts): audit actors are `lead:<id>`. */
export const LEAD_ID = REVIEWER_ID
export const LEAD_ROLES = ['lead', 'admin'] as const
export type LeadRole = (typeof LEAD_ROLES)[number]

export const MIN_PASSWORD_LENGTH = 12
/** Longer is refused: nobody types more, and it bounds the work a request can ask for. */
export const MAX_PASSWORD_LENGTH = 1024

export const SESSION_TOKEN_PREFIX = 'tjl_'
/** `tjl_` and 32 random bytes in base64url (43 characters). Anything else is not a session token. */
const SESSION_TOKEN = /^tjl_[A-Za-z0-9_-]{43}$/
export const SESSION_LIFETIME_MS = 12 * 3600 * 1000
export const SESSION_IDLE_MS = 2 * 3600 * 1000
/** `last_seen_at` is written at most this often, not on every request. */
export const SESSION_TOUCH_MS = 60 * 1000

export const SIGN_IN_WINDOW_S = 15 * 60
export const SIGN_IN_LIMITS = { perId: 10, perAddress: 30 } as const
export type SignInLimits = { perId: number; perAddress: number }

const WRONG = 'the lead id or password is wrong'

// ---- passwords ------------------------------------------------------------------------

/** Today's scrypt cost: N = 2^15, r = 8, p = 1 (32 MiB per hash), 16-byte salt, 32-byte key. */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const
const SCRYPT_MAXMEM = 64 * 1024 * 1024
// Bounds on what a stored hash may ask for, so a bad row cannot make a sign-in take minutes or gigabytes.
const MAX_N = 2 ** 20
const MAX_R = 32
const MAX_P = 16

function scryptAsync(password: string, salt: Buffer, keyBytes: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyBytes, options, (err, key) => (err ? reject(err) : resolve(key)))
  })
}

function maxmemFor(N: number, r: number, p: number): number {
  // scrypt needs 128·N·r bytes for its table and 128·r·p for its blocks; some room above that.
  return Math.max(SCRYPT_MAXMEM, 128 * N * r + 128 * r * p + 1024 * 1024)
}

/** `scrypt$N$r$p$saltB64$hashB64` of the password, with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, saltBytes, keyBytes } = SCRYPT_PARAMS
  const salt = randomBytes(saltBytes)
  const key = await scryptAsync(password, salt, keyBytes, { N, r, p, maxmem: maxmemFor(N, r, p) })
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$')
}

interface ParsedHash {
  N: number
  r: number
  p: number
  salt: Buffer
  key: Buffer
}

function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null
  const [N, r, p] = parts.slice(1, 4).map((v) => (/^[1-9][0-9]{0,9}$/.test(v!) ? Number(v) : NaN)) as [number, number, number]
  if (!(N > 1 && N <= MAX_N && (N & (N - 1)) === 0 && r >= 1 && r <= MAX_R && p >= 1 && p <= MAX_P)) return null
  const salt = Buffer.from(parts[4]!, 'base64')
  const key = Buffer.from(parts[5]!, 'base64')
  if (salt.length < 8 || key.length < 16 || key.length > 128) return null
  return { N, r, p, salt, key }
}

/** Whether the password is the one `stored` was made from; false for a hash this code cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored)
  if (!parsed) return false
  const { N, r, p, salt, key } = parsed
  const derived = await scryptAsync(password, salt, key.length, { N, r, p, maxmem: maxmemFor(N, r, p) })
  return timingSafeEqual(derived, key)
}

/** Whether a stored hash was made with other parameters than today's (it is replaced at the next sign-in). */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored)
  const { N, r, p, saltBytes, keyBytes } = SCRYPT_PARAMS
  return !parsed || parsed.N !== N || parsed.r !== r || parsed.p !== p || parsed.salt.length !== saltBytes || parsed.key.length !== keyBytes
}

// An unknown id is checked against this, so it takes as long as a known one.
let dummyHash: Promise<string> | null = null
function dummy(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(32).toString('base64'))
  return dummyHash
}

function checkPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new ServerError('invalid_request', `a lead password is at least ${MIN_PASSWORD_LENGTH} characters`, [{ path: 'password', message: `at least ${MIN_PASSWORD_LENGTH} characters` }])
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new ServerError('invalid_request', `a lead password is at most ${MAX_PASSWORD_LENGTH} characters`, [{ path: 'password', message: `at most ${MAX_PASSWORD_LENGTH} characters` }])
  }
}

// ---- audit ----------------------------------------------------------------------------

/**
 * One `service_audit` row. `actor`: `lead:<id>`, `operator` (the CLI), `device:<id>`, or
 * `anonymous` (a sign-in that failed: the id tried is the subject, not the actor).
 */
export async function audit(db: Db, actor: string, action: string, subject: string | null, details: Record<string, unknown> = {}): Promise<void> {
  await db.execute(sql`INSERT INTO service_audit (actor, action, subject, details) VALUES (${actor}, ${action}, ${subject}, ${JSON.stringify(details)}::jsonb)`)
}

// ---- accounts -------------------------------------------------------------------------

export interface LeadInfo {
  id: string
  name: string
  role: LeadRole
  created_at: string
  disabled_at: string | null
}

export interface NewLead {
  id: string
  name: string
  role: LeadRole
  password: string
}

/** The account's times as RFC 3339 UTC, like every other time the service answers with. */
const LEAD_TIMES = sql`${isoSql(sql.raw('created_at'))} AS created_at, CASE WHEN disabled_at IS NULL THEN NULL ELSE ${isoSql(sql.raw('disabled_at'))} END AS disabled_at`

/** A new lead account. `actor` is who adds it (the CLI by default; an admin in the console: `lead:<id>`). */
export async function addLead(db: Db, lead: NewLead, actor = 'operator'): Promise<LeadInfo> {
  if (!LEAD_ID.test(lead.id)) throw new ServerError('invalid_request', `lead id "${lead.id.slice(0, 200)}" must be 1–128 characters of A–Z a–z 0–9 . _ @ -`)
  const name = lead.name.trim()
  if (name === '' || name.length > 200) throw new ServerError('invalid_request', 'a lead name is 1–200 characters')
  if (!(LEAD_ROLES as readonly string[]).includes(lead.role)) throw new ServerError('invalid_request', `a lead's role is one of: ${LEAD_ROLES.join(', ')}`)
  checkPassword(lead.password)
  const passwordHash = await hashPassword(lead.password)
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const added = await one<LeadInfo>(
      t,
      sql`INSERT INTO leads (id, name, role, password_hash) VALUES (${lead.id}, ${name}, ${lead.role}, ${passwordHash})
          ON CONFLICT DO NOTHING RETURNING id, name, role, ${LEAD_TIMES}`,
    )
    if (!added) throw new ServerError('conflict', `lead "${lead.id}" exists already`)
    await audit(t, actor, 'lead.add', lead.id, { name, role: lead.role })
    return added
  })
}

export async function listLeads(db: Db): Promise<LeadInfo[]> {
  return rows<LeadInfo>(db, sql`SELECT id, name, role, ${LEAD_TIMES} FROM leads ORDER BY id`)
}

/** A new password for the lead; their sessions end (whoever knew the old one is signed out). */
export async function setLeadPassword(db: Db, id: string, password: string, actor = 'operator'): Promise<void> {
  checkPassword(password)
  const passwordHash = await hashPassword(password)
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const done = await rows(t, sql`UPDATE leads SET password_hash = ${passwordHash} WHERE id = ${id} RETURNING id`)
    if (done.length === 0) throw new ServerError('not_found', `no lead "${id}"`)
    const ended = await endSessionsOf(t, id)
    await audit(t, actor, 'lead.set_password', id, { sessions_ended: ended })
  })
}

/** The lead can no longer sign in, and their sessions end at once. Disabling a disabled lead changes nothing. */
export async function disableLead(db: Db, id: string, actor = 'operator'): Promise<void> {
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const lead = await one<{ disabled: boolean }>(t, sql`SELECT disabled_at IS NOT NULL AS disabled FROM leads WHERE id = ${id} FOR UPDATE`)
    if (!lead) throw new ServerError('not_found', `no lead "${id}"`)
    if (!lead.disabled) await t.execute(sql`UPDATE leads SET disabled_at = now() WHERE id = ${id}`)
    // Ended even when already disabled: a session is never in force for a disabled lead.
    const ended = await endSessionsOf(t, id)
    if (!lead.disabled) await audit(t, actor, 'lead.disable', id, { sessions_ended: ended })
  })
}

async function endSessionsOf(db: Db, leadId: string): Promise<number> {
  const ended = await rows(db, sql`UPDATE lead_sessions SET ended_at = now() WHERE lead_id = ${leadId} AND ended_at IS NULL RETURNING token_hash`)
  return ended.length
}

// ---- sign-in limits -------------------------------------------------------------------

let limitCalls = 0

/**
 * Counts one sign-in attempt against the address and the id (one statement, both keys) and
 * throws `rate_limited` when either is past its limit in this 15-minute window.
 *
 * `window_start` is in the table's unit, minutes since the epoch (http/rate-limit.ts), and
 * names the window's *last* minute: that limiter sweeps every row older than a minute, and
 * would otherwise forget a lockout two minutes into it.
 */
/**
 * Count an attempt before the password is checked (so guesses sent in parallel all count),
 * and refuse past the limit. Returns what gives the attempt back once it succeeded: the
 * limits are on failed tries, and a lead signing in often is not locked out by it.
 */
async function countSignIn(db: Db, address: string, id: string, limits: SignInLimits): Promise<() => Promise<void>> {
  const addrKey = `lead-signin-addr:${address.slice(0, 200)}`
  const idKey = `lead-signin-id:${id.slice(0, 200)}`
  const counted = await rows<{ key: string; count: number; window_start: string; retry: number }>(
    db,
    sql`INSERT INTO rate_limits (key, window_start, count)
        SELECT k, (floor(extract(epoch FROM now()) / ${SIGN_IN_WINDOW_S})::bigint + 1) * ${SIGN_IN_WINDOW_S / 60} - 1, 1
          FROM unnest(ARRAY[${addrKey}::text, ${idKey}::text]) AS k
        ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
        RETURNING key, count, window_start::text AS window_start, (${SIGN_IN_WINDOW_S} - floor(extract(epoch FROM now()))::bigint % ${SIGN_IN_WINDOW_S})::int AS retry`,
  )
  // Windows over are swept now and then by whichever sign-in comes by.
  if (++limitCalls % 200 === 0) {
    void rows(db, sql`DELETE FROM rate_limits WHERE key LIKE 'lead-signin-%' AND window_start < floor(extract(epoch FROM now()) / 60)::bigint - 1`).catch(() => {})
  }
  for (const row of counted) {
    const limit = row.key === addrKey ? limits.perAddress : limits.perId
    if (row.count > limit) {
      const retry = Math.max(1, row.retry)
      const what = row.key === addrKey ? 'from this address' : 'for this lead id'
      throw new ServerError('rate_limited', `too many sign-in attempts ${what}; wait ${Math.ceil(retry / 60)} min`, undefined, retry)
    }
  }
  return async () => {
    for (const row of counted) {
      await db.execute(sql`UPDATE rate_limits SET count = greatest(count - 1, 0) WHERE key = ${row.key} AND window_start = ${row.window_start}::bigint`)
    }
  }
}

// ---- sessions -------------------------------------------------------------------------

export interface SignInResult {
  /** The session token, for the cookie; shown once, never stored. */
  token: string
  lead: { id: string; name: string; role: LeadRole }
  /** RFC 3339: the session ends then at the latest. */
  expiresAt: string
}

/**
 * A session for a lead's id and password, from `address` (for the limits and the audit).
 * Wrong password, unknown id and disabled lead all answer the same `unauthorized`, after
 * the same scrypt work.
 */
export async function signIn(db: Db, attempt: { id: string; password: string; address: string }, limits: SignInLimits = SIGN_IN_LIMITS): Promise<SignInResult> {
  const { id, password, address } = attempt
  // Made (once) whether the id is known or not, so not even the first unknown id stands out.
  const fallback = dummy()
  const giveBack = await countSignIn(db, address, id, limits)
  const lead = LEAD_ID.test(id)
    ? await one<{ id: string; name: string; role: LeadRole; password_hash: string; disabled: boolean }>(
        db,
        sql`SELECT id, name, role, password_hash, disabled_at IS NOT NULL AS disabled FROM leads WHERE id = ${id}`,
      )
    : undefined
  const tooLong = password.length > MAX_PASSWORD_LENGTH
  const ok = await verifyPassword(tooLong ? '' : password, lead?.password_hash ?? (await fallback))
  if (!lead || !ok || tooLong || lead.disabled) {
    const reason = !lead ? 'unknown_id' : lead.disabled && ok ? 'disabled' : 'wrong_password'
    await audit(db, 'anonymous', 'lead.sign_in_failed', id.slice(0, 200), { address, reason })
    throw new ServerError('unauthorized', WRONG)
  }
  await giveBack()
  if (needsRehash(lead.password_hash)) {
    const fresh = await hashPassword(password)
    await db.execute(sql`UPDATE leads SET password_hash = ${fresh} WHERE id = ${lead.id} AND password_hash = ${lead.password_hash}`)
  }
  const token = SESSION_TOKEN_PREFIX + randomBytes(32).toString('base64url')
  const expiresAt = await db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const row = await one<{ expires_at: string }>(
      t,
      sql`INSERT INTO lead_sessions (token_hash, lead_id, expires_at)
          VALUES (${sha256Hex(token)}, ${lead.id}, now() + make_interval(secs => ${SESSION_LIFETIME_MS / 1000}))
          RETURNING to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at`,
    )
    await audit(t, `lead:${lead.id}`, 'lead.sign_in', lead.id, { address, expires_at: row!.expires_at })
    return row!.expires_at
  })
  return { token, lead: { id: lead.id, name: lead.name, role: lead.role }, expiresAt }
}

export interface LeadSession {
  leadId: string
  name: string
  role: LeadRole
  /** sha256 of the token, as stored. */
  tokenHash: string
  /** RFC 3339: the absolute end of the session. */
  expiresAt: string
}

/**
 * The session a token names, or null: not a session token (no `tjl_` prefix: a device
 * token never reaches the query), unknown, ended, expired, idle too long, or its lead
 * disabled. Marks the session used (at most once a minute).
 */
export async function resolveSession(db: Db, token: string): Promise<LeadSession | null> {
  if (!SESSION_TOKEN.test(token)) return null
  const tokenHash = sha256Hex(token)
  const row = await one<{ lead_id: string; name: string; role: LeadRole; expires_at: string; stale: boolean }>(
    db,
    sql`SELECT s.lead_id, l.name, l.role,
          to_char(s.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS expires_at,
          s.last_seen_at < now() - make_interval(secs => ${SESSION_TOUCH_MS / 1000}) AS stale
        FROM lead_sessions s JOIN leads l ON l.id = s.lead_id
        WHERE s.token_hash = ${tokenHash} AND s.ended_at IS NULL AND s.expires_at > now()
          AND s.last_seen_at > now() - make_interval(secs => ${SESSION_IDLE_MS / 1000})
          AND l.disabled_at IS NULL`,
  )
  if (!row) return null
  if (row.stale) {
    await db.execute(
      sql`UPDATE lead_sessions SET last_seen_at = now()
          WHERE token_hash = ${tokenHash} AND last_seen_at < now() - make_interval(secs => ${SESSION_TOUCH_MS / 1000})`,
    )
  }
  return { leadId: row.lead_id, name: row.name, role: row.role, tokenHash, expiresAt: row.expires_at }
}

/** Ends the session the token names; false when it was not in force (unknown, ended already, not a session token). */
export async function signOut(db: Db, token: string): Promise<boolean> {
  if (!SESSION_TOKEN.test(token)) return false
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const ended = await one<{ lead_id: string }>(t, sql`UPDATE lead_sessions SET ended_at = now() WHERE token_hash = ${sha256Hex(token)} AND ended_at IS NULL RETURNING lead_id`)
    if (!ended) return false
    await audit(t, `lead:${ended.lead_id}`, 'lead.sign_out', ended.lead_id)
    return true
  })
}
