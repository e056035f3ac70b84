import { sql } from 'drizzle-orm'
import type { PackedMatchedFrom } from '../../shared/matched-from'
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
    /** The last pull of assignments (every sync run starts with one). */
    lastSyncAt: tstz('last_sync_at'),
    /** What the device last said of itself (POST /v1/devices/self/status): decided clips per pack, decisions not yet pushed. */
    status: jsonb('status').$type<{ decided_by_pack: Record<string, number>; unsent: number; reported_at: string }>(),
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
    /** From the clip's JSON, for ordering by urgency as the app does (overdue or authority first, then due time). */
    dueAt: tstz('due_at'),
    priority: integer('priority'),
    /** A flag came from an authority's request. */
    authority: boolean('authority').notNull().default(false),
    durationMs: integer('duration_ms'),
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
    /**
     * `review`: the reviewer is one of the clip's reviewers (the outcome waits for them);
     * `qa`: a blind second review drawn by a QA rule (the outcome does not wait for it, but
     * a disagreement opens an adjudication like any other).
     */
    purpose: text('purpose', { enum: ['review', 'qa'] }).notNull().default('review'),
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
    /** The known-content match the decision was applied from (PackedMatchedFrom); null for most. */
    matchedFrom: jsonb('matched_from').$type<PackedMatchedFrom>(),
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
    /** How it ended: the reviewers came to agree (`agreement`), or a lead settled it (`lead`, with the outcome). */
    resolution: text('resolution', { enum: ['agreement', 'lead'] }),
    settledBy: text('settled_by'),
    settledOutcomeId: text('settled_outcome_id'),
    /** The disagreeing decisions in force (the last seen while open): id, reviewer_id, action, categories. */
    decisions: jsonb('decisions').$type<{ id: string; reviewer_id: string; action: string; categories: string[] }[]>().notNull(),
  },
  (t) => [index('adjudications_clip').on(t.clipId), uniqueIndex('adjudications_open').on(t.clipId).where(sql`${t.state} = 'open'`)],
)

/**
 * Each reviewer's decision in force on a clip (the head of their latest revision chain), kept
 * by the push that stores it, so outcomes, the disputed list and the agreement report read
 * one row per reviewer and clip instead of walking revision chains over every decision.
 */
export const decisionHeads = pgTable(
  'decision_heads',
  {
    clipId: text('clip_id').notNull(),
    reviewerId: text('reviewer_id').notNull(),
    decisionId: text('decision_id').notNull(),
    packId: text('pack_id').notNull(),
    action: text('action').notNull(),
    categories: jsonb('categories').$type<string[]>().notNull(),
    escalationTarget: text('escalation_target'),
    decidedAt: tstz('decided_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clipId, t.reviewerId] }), index('decision_heads_reviewer').on(t.reviewerId, t.decidedAt), index('decision_heads_pack').on(t.packId)],
)

/**
 * Every two decisions in force on a clip, as the agreement report compares them: first and
 * second by (decided_at, reviewer_id), with the categories both, only the first and only the
 * second chose. Rewritten per clip from decision_heads wherever those change
 * (ops/decision-pairs.ts), so the report aggregates rows instead of re-deriving 450,000 pairs
 * from a million heads by grouping and a self-join on every run (docs/performance.md, issue 13).
 *
 * A report's window holds a pair when it holds both decisions: first_at ≥ from and
 * second_at < to, since first_at ≤ second_at. `pack_id` is NULL when the two decisions name
 * different packs, so that a pack filter, like one on the heads, takes neither.
 * `clip_heads` counts the clip's decisions in force: where it is 2, a pair is its clip's only
 * one in any window, which lets Fleiss' kappa skip grouping by clip for nearly all of them.
 * Fixed-width and grouped columns come first: the report reads them from every row.
 */
export const decisionPairs = pgTable(
  'decision_pairs',
  {
    clipHeads: integer('clip_heads').notNull(),
    firstAt: tstz('first_at').notNull(),
    secondAt: tstz('second_at').notNull(),
    firstAction: text('first_action').notNull(),
    secondAction: text('second_action').notNull(),
    firstReviewer: text('first_reviewer').notNull(),
    secondReviewer: text('second_reviewer').notNull(),
    bothCategories: text('both_categories').array().notNull(),
    firstCategories: text('first_categories').array().notNull(),
    secondCategories: text('second_categories').array().notNull(),
    clipId: text('clip_id').notNull(),
    packId: text('pack_id'),
  },
  (t) => [
    primaryKey({ columns: [t.clipId, t.firstReviewer, t.secondReviewer] }),
    index('decision_pairs_time').on(t.firstAt),
    index('decision_pairs_pack').on(t.packId, t.firstAt),
    // The few pairs whose clip has three or more decisions in force: Fleiss' kappa groups those by clip.
    index('decision_pairs_crowded').on(t.firstAt).where(sql`${t.clipHeads} > 2`),
  ],
)

const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' })

export const OUTCOME_KINDS = ['pending', 'single_review', 'consensus', 'disputed', 'adjudicated'] as const
export type OutcomeKind = (typeof OUTCOME_KINDS)[number]

/**
 * The organisation's outcome for a clip, append-only (triggers): every change of a clip's
 * derived state is a new row naming the one before (`previous_id`); the row with the
 * highest `seq` of a clip is in force (clip_outcomes points at it). A lead's adjudication
 * is a row of kind `adjudicated` with the lead's decision and the decisions it settles.
 * `txid` is the writing transaction's id: readers of the outcome feed serve only rows of
 * transactions that have ended (below the snapshot's xmin), so a cursor never passes a row
 * committed late.
 */
export const outcomes = pgTable(
  'outcomes',
  {
    id: text('id').primaryKey(),
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    clipId: text('clip_id').notNull(),
    packId: text('pack_id').notNull(),
    kind: text('kind', { enum: OUTCOME_KINDS }).notNull(),
    /** The decision the outcome carries; null while pending or disputed. */
    action: text('action'),
    categories: jsonb('categories').$type<string[]>(),
    escalationTarget: text('escalation_target'),
    ranges: jsonb('ranges').$type<{ start_ms: number; end_ms: number; label: string; note: string }[]>(),
    rationale: text('rationale'),
    policyId: text('policy_id'),
    policyVersion: text('policy_version'),
    /** The reviewers' decisions in force it rests on (for an adjudication: those it settles). */
    basis: jsonb('basis').$type<{ id: string; reviewer_id: string; action: string; categories: string[] }[]>().notNull(),
    /** Single review and consensus: the decision whose rationale and ranges it carries; adjudicated: the reviewer's decision the lead adopted, if any. */
    sourceDecisionId: text('source_decision_id'),
    leadId: text('lead_id'),
    adjudicationId: bigint('adjudication_id', { mode: 'number' }),
    previousId: text('previous_id'),
    createdAt: tstz('created_at').notNull().defaultNow(),
    txid: xid8('txid').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [
    uniqueIndex('outcomes_seq').on(t.seq),
    index('outcomes_clip').on(t.clipId, t.seq),
    // GET /v1/media-hashes reads outcome changes of every clip in (txid, seq) order.
    index('outcomes_feed').on(t.txid, t.seq),
  ],
)

/**
 * The outcome in force per clip, with what the lists order and filter by. No row: pending, nothing decided.
 * The disputed list's two orders are indexed for disputed clips only: most rows change kind
 * at least once (pending → consensus, say), and a full index on `kind` took two more index
 * entries at every such change, in pages all over the table, for rows no list reads by them.
 */
export const clipOutcomes = pgTable(
  'clip_outcomes',
  {
    clipId: text('clip_id').primaryKey(),
    packId: text('pack_id').notNull(),
    outcomeId: text('outcome_id').notNull(),
    kind: text('kind', { enum: OUTCOME_KINDS }).notNull(),
    action: text('action'),
    dueAt: tstz('due_at'),
    authority: boolean('authority').notNull().default(false),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('clip_outcomes_disputed_due').on(t.dueAt, t.clipId).where(sql`${t.kind} = 'disputed'`),
    index('clip_outcomes_disputed_auth_due').on(t.authority, t.dueAt, t.clipId).where(sql`${t.kind} = 'disputed'`),
    index('clip_outcomes_pack').on(t.packId, t.kind),
  ],
)

/**
 * What devices pull (GET /v1/outcomes): one row per outcome change per reviewer who decided
 * the clip, and one when a reviewer's first decision lands on a clip whose outcome stays.
 * Append-only; served in (txid, seq) order below the snapshot's xmin (see outcomes).
 */
export const outcomeFeed = pgTable(
  'outcome_feed',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    reviewerId: text('reviewer_id').notNull(),
    clipId: text('clip_id').notNull(),
    outcomeId: text('outcome_id').notNull(),
    txid: xid8('txid').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [index('outcome_feed_reviewer').on(t.reviewerId, t.txid, t.seq)],
)

/** Lead accounts for the lead console. Passwords: scrypt (ops/leads.ts), never stored in the clear. */
export const leads = pgTable('leads', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  role: text('role', { enum: ['lead', 'admin'] }).notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  disabledAt: tstz('disabled_at'),
})

/** Signed-in leads. The cookie holds a random token; only its sha256 is kept, so a copy of the database signs no one in. */
export const leadSessions = pgTable(
  'lead_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    leadId: text('lead_id')
      .notNull()
      .references(() => leads.id),
    createdAt: tstz('created_at').notNull().defaultNow(),
    expiresAt: tstz('expires_at').notNull(),
    lastSeenAt: tstz('last_seen_at').notNull().defaultNow(),
    endedAt: tstz('ended_at'),
  },
  (t) => [index('lead_sessions_lead').on(t.leadId)],
)

/** A pack's QA rule: the share of each reviewer's decided clips drawn for a blind second review. */
export const qaRules = pgTable('qa_rules', {
  packId: text('pack_id')
    .primaryKey()
    .references(() => packs.id),
  /** 0–100. */
  percent: integer('percent').notNull(),
  /** Draw the share from each action the reviewer chose, not from their clips as a whole. */
  stratifyByAction: boolean('stratify_by_action').notNull(),
  updatedBy: text('updated_by').notNull(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
})

/** A clip drawn for QA: which decision it checks and to whom it went. Append-only. */
export const qaSamples = pgTable(
  'qa_samples',
  {
    clipId: text('clip_id').notNull(),
    packId: text('pack_id').notNull(),
    /** The decision under check, and its reviewer. */
    decisionId: text('decision_id').notNull(),
    reviewerId: text('reviewer_id').notNull(),
    /** The second reviewer, who does not see the first decision. */
    qaReviewerId: text('qa_reviewer_id').notNull(),
    stratum: text('stratum').notNull(),
    sampledBy: text('sampled_by').notNull(),
    sampledAt: tstz('sampled_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.clipId, t.qaReviewerId] }), index('qa_samples_pack').on(t.packId, t.reviewerId)],
)

/** One DSA export: who asked, what it took (`since_last`: only outcomes not filed before), what it wrote. */
export const dsaExportRuns = pgTable('dsa_export_runs', {
  id: text('id').primaryKey(),
  createdAt: tstz('created_at').notNull().defaultNow(),
  createdBy: text('created_by').notNull(),
  sinceLast: boolean('since_last').notNull(),
  statements: integer('statements').notNull(),
  files: integer('files').notNull(),
  skipped: jsonb('skipped').$type<Record<string, number>>().notNull(),
})

/** The statements' files of a run, as written: what was filed can be downloaded again, byte for byte. */
export const dsaExportFiles = pgTable(
  'dsa_export_files',
  {
    runId: text('run_id')
      .notNull()
      .references(() => dsaExportRuns.id),
    idx: integer('idx').notNull(),
    body: text('body').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.idx] })],
)

/**
 * Every statement an export wrote: the outcome it files, the clip, and the filing key
 * (action and categories). A clip's next statement is due only when its outcome in force
 * restricts with another key than its last filed one (dsa_filed). Append-only.
 */
export const dsaFilings = pgTable(
  'dsa_filings',
  {
    runId: text('run_id').notNull(),
    clipId: text('clip_id').notNull(),
    outcomeId: text('outcome_id').notNull(),
    filingKey: text('filing_key').notNull(),
    puid: text('puid').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.clipId] }), index('dsa_filings_outcome').on(t.outcomeId)],
)

/** The last statement filed per clip. */
export const dsaFiled = pgTable('dsa_filed', {
  clipId: text('clip_id').primaryKey(),
  outcomeId: text('outcome_id').notNull(),
  filingKey: text('filing_key').notNull(),
  runId: text('run_id').notNull(),
})

/**
 * What leads and operators did on the service (sign-ins, pack loads, assignments, QA draws,
 * adjudications, exports, accounts), append-only (triggers). Devices' decisions have their
 * own record: the signed batches.
 */
export const serviceAudit = pgTable(
  'service_audit',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: tstz('at').notNull().defaultNow(),
    /** `lead:<id>`, `operator` (the CLI) or `device:<id>`. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subject: text('subject'),
    details: jsonb('details').notNull(),
  },
  (t) => [index('service_audit_at').on(t.at)],
)

/**
 * Work a migration leaves for the service's next start, done in TypeScript by the code that
 * does it every day (db/start-tasks.ts): e.g. deriving the outcomes of clips decided before
 * outcomes existed. A row is removed when its work has committed.
 */
export const serviceTasks = pgTable('service_tasks', {
  name: text('name').primaryKey(),
  createdAt: tstz('created_at').notNull().defaultNow(),
})

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

/**
 * Frame hashes of decided media, pushed by devices (issue 14): one row per media object and
 * hasher, the first pushed kept (a second push of the same is a duplicate; another hasher is
 * another row). Hashes as bytes (32 a hash, a frame's hashes together, frames in order),
 * qualities one byte a hash, times as a JSON array of milliseconds. Devices pull them with
 * the outcomes in force of the clips that use the media (GET /v1/media-hashes), in (txid,
 * seq) order below the snapshot's xmin as the outcome feed is served.
 */
export const mediaHashes = pgTable(
  'media_hashes',
  {
    sha256: text('sha256').notNull(),
    hasher: text('hasher').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    hashesPerFrame: integer('hashes_per_frame').notNull(),
    frameCount: integer('frame_count').notNull(),
    hashes: bytea('hashes').notNull(),
    qualities: bytea('qualities').notNull(),
    timesMs: jsonb('times_ms').$type<number[]>().notNull(),
    /** Who pushed the hashes kept. */
    reviewerId: text('reviewer_id').notNull(),
    deviceId: text('device_id').notNull(),
    receivedAt: tstz('received_at').notNull().defaultNow(),
    txid: xid8('txid').notNull().default(sql`pg_current_xact_id()`),
  },
  (t) => [primaryKey({ columns: [t.sha256, t.hasher] }), uniqueIndex('media_hashes_seq').on(t.seq), index('media_hashes_feed').on(t.txid, t.seq)],
)
