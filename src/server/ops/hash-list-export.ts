import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { writeHashList, type HashListKey } from '../../core/hash-lists/hash-list-file'
import { publicKeyString } from '../../core/ed25519'
import { restrictionOf } from '../../core/export/dsa-map'
import { TinjauError } from '../../shared/errors'
import {
  HASH_LIST_FORMAT,
  HASH_LIST_HASHERS,
  HASH_LIST_LIMITS,
  HASH_LIST_VERSION,
  HASHES_PER_FRAME,
  type HashListDocument,
  type HashListEntry,
  type HashListHasher,
} from '../../shared/hash-list-format'
import type { Policy } from '../../shared/policy'
import { one, rows, sql, textArray, type Db } from '../db/open'
import { ServerError } from '../errors'
import { isoSql } from './assignments'

/**
 * `tinjau-server hashlist export`: the organisation's decided media as a signed hash list
 * (src/shared/hash-list-format.ts, docs/hash-list.md), written by the same module the app
 * reads lists with. One entry per media object and hasher that devices pushed hashes for
 * (media_hashes), carrying the outcome in force of the latest-settled clip that uses the
 * media; only outcomes that carry a decision (single review, consensus, adjudicated).
 *
 * The service holds no signing key of its own (nothing it sends is signed; devices sign what
 * they push): the operator names an Ed25519 key file, made once with `hashlist key`.
 */

export interface HashListFilter {
  /** Outcomes settled at or after this time (RFC 3339). */
  since?: string | undefined
  /** Only these actions. */
  actions?: readonly string[] | undefined
  /** Only outcomes with at least one of these categories. */
  categories?: readonly string[] | undefined
  /** Only outcomes whose action restricts the content (a DSA restriction in the policy). */
  restricting?: boolean | undefined
}

export interface HashListExportOptions extends HashListFilter {
  id: string
  name: string
  issuerName: string
  out: string
  overwrite?: boolean
  now?: Date
}

export interface HashListExportResult {
  file: string
  bytes: number
  entries: number
  frames: number
  publicKey: string
  /** Media left out: hashes of another shape than the hasher gives (hashes a frame, an image of many frames), or an outcome without categories. */
  skipped: { shape: number; noCategories: number }
}

/** An Ed25519 private key file (PKCS#8 PEM, as `hashlist key` and `openssl genpkey -algorithm ed25519` write). */
export function loadSigningKey(file: string): HashListKey {
  let key: KeyObject
  try {
    key = createPrivateKey(readFileSync(file))
  } catch (err) {
    throw new TinjauError('invalid_input', `key file ${file} cannot be read as a private key (${(err as Error).message})`, [{ path: '--key', message: 'not a PEM private key' }])
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TinjauError('invalid_input', `key file ${file} holds a ${key.asymmetricKeyType ?? 'unknown'} key; a hash list is signed with Ed25519`, [{ path: '--key', message: 'not an Ed25519 key' }])
  }
  return { publicKey: publicKeyString(createPublicKey(key)), sign: (bytes) => sign(null, bytes, key) }
}

/** A new signing key at `file` (never over an existing one), readable by its owner only. */
export async function writeSigningKey(file: string): Promise<{ file: string; publicKey: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  try {
    // Created with its mode, and never over a file that is there: a key replaced by mistake cannot be had back.
    await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' })
  } catch (err) {
    const exists = (err as NodeJS.ErrnoException).code === 'EEXIST'
    throw new TinjauError('invalid_input', `cannot write the key to ${file}: ${exists ? 'a file is there already (it is never replaced)' : (err as Error).message}`)
  }
  return { file, publicKey: publicKeyString(publicKey) }
}

interface Row {
  sha256: string
  hasher: string
  hashes_per_frame: number
  frame_count: number
  hashes: string
  qualities: string
  times_ms: number[]
  mime: string | null
  clip_id: string
  pack_id: string
  action: string
  categories: string[] | null
  rationale: string | null
  policy_id: string | null
  policy_version: string | null
  lead_id: string | null
  basis: { reviewer_id: string }[]
  settled_at: string
}

/** The rows the filter takes, newest outcome per media and hasher; `columns` picks what to read. */
function selection(filter: HashListFilter, restrictive: readonly string[] | null) {
  const known = textArray([...HASH_LIST_HASHERS])
  return sql`FROM media_hashes h
      JOIN clips c ON c.media_sha256 = h.sha256
      JOIN clip_outcomes co ON co.clip_id = c.id
      JOIN outcomes o ON o.id = co.outcome_id
      LEFT JOIN media_objects m ON m.sha256 = h.sha256
    WHERE h.hasher = ANY(${known})
      AND co.kind IN ('single_review', 'consensus', 'adjudicated') AND o.action IS NOT NULL
      ${filter.since ? sql`AND o.created_at >= ${filter.since}::timestamptz` : sql``}
      ${filter.actions?.length ? sql`AND o.action = ANY(${textArray(filter.actions)})` : sql``}
      ${restrictive ? sql`AND o.action = ANY(${textArray(restrictive)})` : sql``}
      ${filter.categories?.length ? sql`AND o.categories ?| ${textArray(filter.categories)}` : sql``}`
}

export async function hashListDocument(db: Db, policy: Policy, opts: Omit<HashListExportOptions, 'out' | 'overwrite'>, publicKey: string): Promise<{ doc: HashListDocument; skipped: HashListExportResult['skipped'] }> {
  if (opts.since !== undefined && Number.isNaN(Date.parse(opts.since))) {
    throw new ServerError('invalid_request', `--since ${JSON.stringify(opts.since)} is not a time (RFC 3339, e.g. 2025-09-01T00:00:00Z)`, [{ path: '--since', message: 'not a time' }])
  }
  const restrictive = opts.restricting ? policy.actions.filter((a) => !('skipped' in restrictionOf(policy, a.id))).map((a) => a.id) : null
  const from = selection(opts, restrictive)
  // Counted before any hash is read: a list over the format's bounds is refused, not half-written.
  const size = await one<{ media: number; frames: number }>(
    db,
    sql`SELECT count(*)::int AS media, coalesce(sum(frame_count), 0)::int AS frames FROM (SELECT DISTINCT h.sha256, h.hasher, h.frame_count ${from}) s`,
  )
  if (size!.media > HASH_LIST_LIMITS.maxEntries || size!.frames > HASH_LIST_LIMITS.maxFramesTotal) {
    throw new ServerError(
      'payload_too_large',
      `the selection holds ${size!.media} media with ${size!.frames} frames; a hash list holds at most ${HASH_LIST_LIMITS.maxEntries} entries and ${HASH_LIST_LIMITS.maxFramesTotal} frames: narrow it with --since, --action, --category or --restricting`,
    )
  }
  const list = await rows<Row>(
    db,
    sql`SELECT DISTINCT ON (h.sha256, h.hasher) h.sha256, h.hasher, h.hashes_per_frame, h.frame_count, encode(h.hashes, 'hex') AS hashes,
          encode(h.qualities, 'hex') AS qualities, h.times_ms, m.mime, c.id AS clip_id, c.pack_id, o.action, o.categories, o.rationale,
          o.policy_id, o.policy_version, o.lead_id, o.basis, ${isoSql(sql.raw('o.created_at'))} AS settled_at
        ${from}
        ORDER BY h.sha256, h.hasher, co.updated_at DESC, c.id`,
  )
  const skipped = { shape: 0, noCategories: 0 }
  const entries: HashListEntry[] = []
  for (const r of list) {
    const hasher = r.hasher as HashListHasher
    const image = r.mime?.startsWith('image/') === true
    if (r.hashes_per_frame !== HASHES_PER_FRAME[hasher] || (image && r.frame_count !== 1) || (hasher === 'pdq' && !image)) {
      skipped.shape++
      continue
    }
    const categories = r.categories ?? []
    if (categories.length === 0) {
      skipped.noCategories++
      continue
    }
    entries.push({
      id: `${r.sha256}/${r.hasher}`,
      label: `clip ${r.clip_id} (${r.pack_id})`.slice(0, HASH_LIST_LIMITS.maxLabelLength),
      kind: image ? 'image' : 'video',
      media_sha256: r.sha256,
      hasher,
      frames: r.times_ms.map((t, f) => ({
        t_ms: t,
        hashes: Array.from({ length: r.hashes_per_frame }, (_, k) => {
          const i = f * r.hashes_per_frame + k
          return { hash: r.hashes.slice(i * 64, i * 64 + 64), quality: Number.parseInt(r.qualities.slice(i * 2, i * 2 + 2), 16) }
        }),
      })),
      decision: {
        action: r.action,
        categories: categories.slice(0, HASH_LIST_LIMITS.maxCategories),
        rationale: clip(r.rationale ?? '', HASH_LIST_LIMITS.maxRationaleLength),
        policy_id: r.policy_id,
        policy_version: r.policy_version,
        // Who settled it: the lead for an adjudication, else the reviewer whose decision it carries.
        decided_by: r.lead_id ?? r.basis[0]?.reviewer_id ?? null,
        decided_at: r.settled_at,
        source_clip_id: r.clip_id,
      },
    })
  }
  const doc: HashListDocument = {
    format: HASH_LIST_FORMAT,
    version: HASH_LIST_VERSION,
    id: opts.id,
    name: opts.name,
    created_at: (opts.now ?? new Date()).toISOString(),
    issuer: { name: opts.issuerName, public_key: publicKey },
    entries,
  }
  return { doc, skipped }
}

export async function exportHashList(db: Db, policy: Policy, key: HashListKey, opts: HashListExportOptions): Promise<HashListExportResult> {
  const { doc, skipped } = await hashListDocument(db, policy, opts, key.publicKey)
  const written = await writeHashList(doc, key, opts.out, { overwrite: opts.overwrite ?? false })
  return { ...written, entries: doc.entries.length, frames: doc.entries.reduce((n, e) => n + e.frames.length, 0), publicKey: key.publicKey, skipped }
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
