import { sql } from 'drizzle-orm'
import { bigint, boolean, customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core'

/**
 * The sync service's store (PostgreSQL; PGlite when no DATABASE_URL is given). Migrations
 * are generated from this file by drizzle-kit (`npx drizzle-kit generate --config
 * drizzle.server.config.ts`) into resources/server-migrations and applied at start.
 * `0001_append-only.sql` is hand-written: triggers refuse UPDATE and DELETE on decisions
 * and push_batches, so what a device pushed, and the bytes it signed, stay as received.
 *
 * The service keeps nothing that matters in memory: several instances may serve the same
 * database, so every rule that spans requests (rate limits, single-use codes, the order of
 * assignment changes) is decided here.
 */

const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
})

const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' })

export const reviewers = pgTable('reviewers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
})

/** One-time enrollment codes; only the sha256 of a code is kept, and a code is used at most once. */
export const enrollmentCodes = pgTable('enrollment_codes', {
  codeHash: text('code_hash').primaryKey(),
  reviewerId: text('reviewer_id')
    .notNull()
    .references(() => reviewers.id),
  createdAt: tstz('created_at').notNull().defaultNow(),
  expiresAt: tstz('expires_at').notNull(),
  usedAt: tstz('used_at'),
  usedByDevice: text('used_by_device'),
})

/** An enrolled device: its Ed25519 key checks what it signs; its token (sha256 only) authenticates it. */
export const devices = pgTable(
  'devices',
  {
    id: text('id').primaryKey(),
    reviewerId: text('reviewer_id')
      .notNull()
      .references(() => reviewers.id),
    publicKey: text('public_key').notNull(),
    name: text('name'),
    tokenHash: text('token_hash').notNull(),
    enrolledAt: tstz('enrolled_at').notNull().defaultNow(),
    revokedAt: tstz('revoked_at'),
  },
  (t) => [uniqueIndex('devices_token').on(t.tokenHash), index('devices_reviewer').on(t.reviewerId), index('devices_key').on(t.publicKey)],
)

export const packs = pgTable('packs', {
  id: text('id').primaryKey(),
  /** sha256 of the exact pack.json bytes: the same bytes again is a no-op. */
  manifestSha256: text('manifest_sha256').notNull(),
  createdAt: text('created_at').notNull(),
  issuer: jsonb('issuer'),
  policy: jsonb('policy'),
  signed: boolean('signed').notNull(),
  /** Header fields field-pack v1 does not define, as the pack gave them. */
  extra: jsonb('extra').notNull(),
  clipCount: integer('clip_count').notNull(),
  loadedAt: tstz('loaded_at').notNull().defaultNow(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
})

export const mediaObjects = pgTable('media_objects', {
  sha256: text('sha256').primaryKey(),
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
  mime: text('mime').notNull(),
})

/**
 * Clips by id, as in the app: a newer pack holding the same clip id takes the clip over.
 * `json` is the clip object's text exactly as pack.json gave it, sent to devices as is.
 */
export const clips = pgTable(
  'clips',
  {
    id: text('id').primaryKey(),
    packId: text('pack_id')
      .notNull()
      .references(() => packs.id),
    /** Position in its pack, so a pack's clips are assigned (and pulled) in pack order. */
    idx: integer('idx').notNull(),
    json: text('json').notNull(),
    jsonSha256: text('json_sha256').notNull(),
    mediaSha256: text('media_sha256').notNull(),
    posterSha256: text('poster_sha256'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [index('clips_pack').on(t.packId, t.idx), index('clips_media').on(t.mediaSha256), index('clips_poster').on(t.posterSha256)],
)

/** Who holds which clip now (`active`); a row that exists at all means "ever assigned". */
export const assignments = pgTable(
  'assignments',
  {
    reviewerId: text('reviewer_id')
      .notNull()
      .references(() => reviewers.id),
    clipId: text('clip_id')
      .notNull()
      .references(() => clips.id),
    active: boolean('active').notNull(),
    firstAssignedAt: tstz('first_assigned_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.reviewerId, t.clipId] }), index('assignments_clip').on(t.clipId)],
)

/**
 * Every assignment change, numbered: a device pulls the changes after its cursor (the last
 * `seq` it applied). Writers serialize on an advisory lock (ops/assignments.ts), so rows
 * become visible in `seq` order and a cursor never skips a change committed late.
 */
export const assignmentChanges = pgTable(
  'assignment_changes',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    reviewerId: text('reviewer_id').notNull(),
    clipId: text('clip_id').notNull(),
    packId: text('pack_id').notNull(),
    kind: text('kind', { enum: ['assigned', 'unassigned'] }).notNull(),
    at: tstz('at').notNull().defaultNow(),
  },
  (t) => [index('assignment_changes_reviewer').on(t.reviewerId, t.seq)],
)

/**
 * What a device sent, byte for byte, with its signature: a push body (signed by the pushing
 * device) or a decision pack's decisions.json (signed by the exporting device). Each stored
 * decision points at the batch it came in, so its signature can be checked again at any time.
 */
export const pushBatches = pgTable('push_batches', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  kind: text('kind', { enum: ['push', 'decision_pack'] }).notNull(),
  /** The device whose key signed `body`. */
  deviceId: text('device_id').notNull(),
  reviewerId: text('reviewer_id').notNull(),
  publicKey: text('public_key').notNull(),
  batchRef: text('batch_ref').notNull(),
  body: bytea('body').notNull(),
  signature: bytea('signature').notNull(),
  receivedAt: tstz('received_at').notNull().defaultNow(),
})

/** Append-only (triggers): a revision is a new row naming the one it revises, at most once. */
export const decisions = pgTable(
  'decisions',
  {
    id: text('id').primaryKey(),
    clipId: text('clip_id').notNull(),
    packId: text('pack_id').notNull(),
    revisesId: text('revises_id'),
    /** As the device wrote it (RFC 3339); compared as given when the same id comes again. */
    decidedAt: text('decided_at').notNull(),
    reviewerId: text('reviewer_id').notNull(),
    deviceId: text('device_id').notNull(),
    policyId: text('policy_id').notNull(),
    policyVersion: text('policy_version').notNull(),
    categories: jsonb('categories').$type<string[]>().notNull(),
    action: text('action').notNull(),
    escalationTarget: text('escalation_target'),
    ranges: jsonb('ranges').$type<{ start_ms: number; end_ms: number; label: string; note: string }[]>().notNull(),
    rationale: text('rationale').notNull(),
    batchId: bigint('batch_id', { mode: 'number' })
      .notNull()
      .references(() => pushBatches.id),
    receivedAt: tstz('received_at').notNull().defaultNow(),
  },
  (t) => [
    index('decisions_clip').on(t.clipId),
    uniqueIndex('decisions_revises').on(t.revisesId).where(sql`${t.revisesId} IS NOT NULL`),
    index('decisions_reviewer').on(t.reviewerId),
  ],
)

/**
 * Clips whose decisions in force disagree. One row per disagreement: it is resolved (not
 * removed) when they agree again, and a later disagreement opens a new row.
 */
export const adjudications = pgTable(
  'adjudications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    clipId: text('clip_id').notNull(),
    packId: text('pack_id').notNull(),
    state: text('state', { enum: ['open', 'resolved'] }).notNull(),
    openedAt: tstz('opened_at').notNull().defaultNow(),
    resolvedAt: tstz('resolved_at'),
    /** The disagreeing decisions in force (the last seen while open): id, reviewer_id, action, categories. */
    decisions: jsonb('decisions').$type<{ id: string; reviewer_id: string; action: string; categories: string[] }[]>().notNull(),
  },
  (t) => [index('adjudications_clip').on(t.clipId), uniqueIndex('adjudications_open').on(t.clipId).where(sql`${t.state} = 'open'`)],
)

/** Fixed-window request counters, shared by every instance of the service. */
export const rateLimits = pgTable(
  'rate_limits',
  {
    key: text('key').notNull(),
    windowStart: bigint('window_start', { mode: 'number' }).notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] })],
)
