import { sql } from 'drizzle-orm'
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

/**
 * The profile database. Migrations are generated from this file by drizzle-kit
 * (`npm run db:generate`) into resources/migrations and applied at start. Times are
 * ISO-8601 UTC text; `*_ms` columns are numbers kept for sorting.
 * Decisions and the audit log are append-only: triggers (in a hand-written migration)
 * refuse UPDATE and DELETE on them.
 */

export const packs = sqliteTable('packs', {
  id: text('id').primaryKey(),
  /** sha256 of the exact pack.json bytes: the same bytes again is a no-op. */
  manifestSha256: text('manifest_sha256').notNull(),
  createdAt: text('created_at').notNull(),
  issuerName: text('issuer_name'),
  issuerKey: text('issuer_key'),
  policyId: text('policy_id'),
  policyVersion: text('policy_version'),
  signed: integer('signed', { mode: 'boolean' }).notNull(),
  clipCount: integer('clip_count').notNull(),
  /** pack.json without its clips, unknown fields included, for round-tripping. */
  headerJson: text('header_json').notNull(),
  importedAt: text('imported_at').notNull(),
  updatedAt: text('updated_at').notNull(),
})

export const mediaObjects = sqliteTable('media_objects', {
  sha256: text('sha256').primaryKey(),
  bytes: integer('bytes').notNull(),
  mime: text('mime').notNull(),
  createdAt: text('created_at').notNull(),
})

/** Sort key for clips without a due time: after every real one. */
export const NO_DUE_SORT = 8_640_000_000_000_000

export const clips = sqliteTable(
  'clips',
  {
    id: text('id').primaryKey(),
    packId: text('pack_id')
      .notNull()
      .references(() => packs.id),
    status: text('status', { enum: ['pending', 'decided', 'escalated', 'skipped', 'synced'] })
      .notNull()
      .default('pending'),
    capturedAt: text('captured_at').notNull(),
    dueAt: text('due_at'),
    dueSort: integer('due_sort').notNull(),
    priority: real('priority'),
    mediaSha256: text('media_sha256')
      .notNull()
      .references(() => mediaObjects.sha256),
    posterSha256: text('poster_sha256').references(() => mediaObjects.sha256),
    durationMs: integer('duration_ms'),
    streamTitle: text('stream_title'),
    accountHandle: text('account_handle'),
    region: text('region'),
    commerce: integer('commerce', { mode: 'boolean' }).notNull(),
    /** JSON arrays of distinct flag labels and sources, for the queue row. */
    flagLabels: text('flag_labels').notNull(),
    flagSources: text('flag_sources').notNull(),
    /** 1 when a flag's source is authority_request: such clips lead the urgency order (see core/queue-order.ts). */
    authority: integer('authority').notNull().default(0),
    /**
     * The clip object exactly as the pack gave it (unknown fields included) is bytes
     * [json_offset, json_offset + json_length) of the stored pack.json `manifest_sha256`
     * (see core/manifest-store.ts). raw_json holds it instead for clips imported before
     * those columns existed, or from a pack whose shape ruled out byte ranges; otherwise ''.
     */
    rawJson: text('raw_json').notNull(),
    manifestSha256: text('manifest_sha256'),
    jsonOffset: integer('json_offset'),
    jsonLength: integer('json_length'),
    importedAt: text('imported_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  // authority rides at the end of both due-time indexes so the urgency order's segments
  // (core/queue-order.ts) are read from the index alone; a separate index would cost the
  // import of 100,000 clips another ~0.3 s.
  (t) => [
    index('clips_status_due').on(t.status, t.dueSort, t.id, t.authority),
    index('clips_due').on(t.dueSort, t.id, t.authority),
    index('clips_pack').on(t.packId),
    // Known-content matching finds the clips behind a matched media object (core/hashes/known-content.ts).
    index('clips_media').on(t.mediaSha256),
  ],
)

export const clipFlags = sqliteTable(
  'clip_flags',
  {
    clipId: text('clip_id')
      .notNull()
      .references(() => clips.id),
    idx: integer('idx').notNull(),
    source: text('source').notNull(),
    label: text('label').notNull(),
    score: real('score'),
    atMs: integer('at_ms'),
    count: integer('count'),
    reference: text('reference'),
    dueAt: text('due_at'),
  },
  // No index on label or source: each cost an import of 100,000 clips ~0.3 s, and the queue
  // filters on the clip row's own columns (flag_labels, flag_sources), not on this table.
  (t) => [primaryKey({ columns: [t.clipId, t.idx] })],
)

export const decisions = sqliteTable(
  'decisions',
  {
    /** UUIDv7, made on the device, so the same decision pushed twice is one decision. */
    id: text('id').primaryKey(),
    clipId: text('clip_id')
      .notNull()
      .references(() => clips.id),
    /** The decision this one revises; a decision is revised at most once (a chain, never a fork). */
    revisesId: text('revises_id').references((): any => decisions.id),
    policyId: text('policy_id').notNull(),
    policyVersion: text('policy_version').notNull(),
    categories: text('categories').notNull(),
    action: text('action').notNull(),
    escalationTarget: text('escalation_target'),
    ranges: text('ranges').notNull(),
    rationale: text('rationale').notNull(),
    reviewerId: text('reviewer_id').notNull(),
    deviceId: text('device_id').notNull(),
    decidedAt: text('decided_at').notNull(),
    /**
     * The known-content match the reviewer started from, as the JSON the decision pack holds
     * (shared/matched-from.ts PackedMatchedFrom); null when decided from scratch.
     */
    matchedFrom: text('matched_from'),
  },
  (t) => [index('decisions_clip').on(t.clipId, t.decidedAt), uniqueIndex('decisions_revises').on(t.revisesId).where(sql`${t.revisesId} IS NOT NULL`), index('decisions_time').on(t.decidedAt)],
)

/**
 * Which clips the full-text index `clip_search` (an FTS5 table made in migration 0003; its
 * rowid is the clip row's rowid) holds, and from which version of the clip: `source` is
 * built from the row's manifest_sha256, json_offset and updated_at, all of which an import
 * changes when it changes the clip. Kept apart from `clips` so the import writes nothing
 * for the index and the index's background work never rewrites clip rows
 * (core/search-index.ts).
 */
export const clipSearchState = sqliteTable('clip_search_state', {
  clipRowid: integer('clip_rowid').primaryKey(),
  source: text('source').notNull(),
})

/**
 * Decisions waiting for the sync service, written in the same transaction as the decision.
 * A row leaves the push queue when the server answers for it: `acked_at` (stored, or held
 * already) or `rejected_at` with the server's reason (core/sync/push.ts). A rejected row is
 * kept, with its decision, for the reviewer to see; it is not pushed again by itself.
 */
export const outbox = sqliteTable(
  'outbox',
  {
    // The rowid, without AUTOINCREMENT (migration 0012): outbox rows are never deleted, so the
    // next seq is always past every earlier one, and a save no longer writes sqlite_sequence —
    // one 4 KiB page less in the WAL, which an encrypted profile encrypts and authenticates.
    seq: integer('seq').primaryKey(),
    decisionId: text('decision_id')
      .notNull()
      .unique()
      .references(() => decisions.id),
    enqueuedAt: text('enqueued_at').notNull(),
    /** Pushes that carried this row and got no answer for it (network, timeout, 5xx, 429). */
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    ackedAt: text('acked_at'),
    rejectedAt: text('rejected_at'),
    /** The server's code (sync-protocol DECISION_REJECTIONS) for a rejected row. */
    rejection: text('rejection'),
  },
  // The push reads the rows still to send in seq order; after 100,000 acknowledged decisions a
  // scan of the whole table for the few unsent ones would cost each push that much more.
  // The rejected rows are counted after every save (the sync status's counts): without their
  // own index that count read every row the outbox ever held, 3 ms a save at 100,000.
  (t) => [
    index('outbox_unsent').on(t.seq).where(sql`${t.ackedAt} IS NULL AND ${t.rejectedAt} IS NULL`),
    index('outbox_rejected').on(t.seq).where(sql`${t.rejectedAt} IS NOT NULL`),
  ],
)

/** Append-only, hash-chained: each entry's hash covers the previous hash and its own fields. */
export const auditLog = sqliteTable('audit_log', {
  seq: integer('seq').primaryKey(),
  at: text('at').notNull(),
  actor: text('actor').notNull(),
  deviceId: text('device_id').notNull(),
  kind: text('kind').notNull(),
  subject: text('subject').notNull(),
  payload: text('payload').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
})

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
})

/**
 * The organisation's outcome of each clip this reviewer decided, as the sync service last
 * said it (GET /v1/outcomes): shown beside the reviewer's own decisions, never changing them.
 */
export const clipOutcomes = sqliteTable('clip_outcomes', {
  clipId: text('clip_id').primaryKey(),
  outcomeId: text('outcome_id').notNull(),
  kind: text('kind').notNull(),
  action: text('action'),
  /** JSON array, or null while the outcome carries no decision. */
  categories: text('categories'),
  rationale: text('rationale'),
  leadName: text('lead_name'),
  /** 1 upheld, 0 not, null not yet known (pending, disputed). */
  upheld: integer('upheld'),
  yourDecisionId: text('your_decision_id'),
  settledAt: text('settled_at').notNull(),
  receivedAt: text('received_at').notNull(),
})

/**
 * Perceptual hashes of each media object (issue 14), content-addressed like the media: a
 * file many clips share is hashed once. The renderer decodes and hashes (Chromium's
 * decoders are what every host has); core keeps the work list and the results.
 *
 * One row per media object, its frames packed in blobs (32 bytes of hash, 1 byte of
 * quality, 4 bytes of time each, in frame order) rather than a row per frame: the match
 * index loads a million frames from ~10,000 rows at start, not from a million.
 */
export const mediaHashes = sqliteTable(
  'media_hashes',
  {
    sha256: text('sha256')
      .primaryKey()
      .references(() => mediaObjects.sha256),
    /** hashing: claimed by a hasher, not yet answered; hashed; failed: undecodable, or gave up. */
    status: text('status', { enum: ['hashing', 'hashed', 'failed'] }).notNull(),
    /** Claims so far: a file that kills the hasher each time is given up on, not retried forever. */
    attempts: integer('attempts').notNull().default(0),
    /** What made it: frames hashed by another sampling are hashed again, not compared. */
    hasher: text('hasher').notNull(),
    frameCount: integer('frame_count').notNull().default(0),
    /** frame_count × hashes-per-frame PDQ hashes (32 bytes each, a frame's together; 4 a frame for pdq/1fps/v2). */
    hashes: blob('hashes', { mode: 'buffer' }),
    /** One byte per hash: hashes-per-frame is its length / frame_count. */
    qualities: blob('qualities', { mode: 'buffer' }),
    timesMs: blob('times_ms', { mode: 'buffer' }),
    error: text('error'),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('media_hashes_status').on(t.status)],
)

/**
 * Hash lists (issue 14, docs/hash-list.md): signed lists of known content's hashes, each
 * entry carrying a decision. `source` says where a list came from: an imported file
 * ('hashlist') or the team's own decided media as the sync service sends them ('team'), so
 * both are matched the same way. One row per list version in force: importing a newer
 * version of a list replaces it and its entries in one transaction.
 */
export const hashLists = sqliteTable('hash_lists', {
  id: text('id').primaryKey(),
  source: text('source', { enum: ['hashlist', 'team'] }).notNull(),
  name: text('name').notNull(),
  /** The version in force: a list's created_at. */
  createdAt: text('created_at').notNull(),
  issuerName: text('issuer_name').notNull(),
  issuerKey: text('issuer_key').notNull(),
  /** sha256 of the exact signed hashlist.json bytes (null for the team's): the same file again changes nothing. */
  jsonSha256: text('json_sha256'),
  entryCount: integer('entry_count').notNull(),
  frameCount: integer('frame_count').notNull(),
  importedAt: text('imported_at').notNull(),
})

/** A list's entries, their frames packed in blobs as media_hashes packs a media object's. */
export const hashListEntries = sqliteTable(
  'hash_list_entries',
  {
    listId: text('list_id')
      .notNull()
      .references(() => hashLists.id, { onDelete: 'cascade' }),
    entryId: text('entry_id').notNull(),
    label: text('label').notNull(),
    kind: text('kind', { enum: ['video', 'image'] }).notNull(),
    mediaSha256: text('media_sha256'),
    hasher: text('hasher').notNull(),
    frameCount: integer('frame_count').notNull(),
    /** frame_count × hashes-per-frame PDQ hashes, 32 bytes each, big-endian as their hex reads. */
    hashes: blob('hashes', { mode: 'buffer' }).notNull(),
    /** One byte per hash. */
    qualities: blob('qualities', { mode: 'buffer' }).notNull(),
    /** 4 bytes (little-endian) per frame. */
    timesMs: blob('times_ms', { mode: 'buffer' }).notNull(),
    action: text('action').notNull(),
    /** JSON array of category ids. */
    categories: text('categories').notNull(),
    rationale: text('rationale').notNull(),
    policyId: text('policy_id'),
    policyVersion: text('policy_version'),
    decidedBy: text('decided_by'),
    decidedAt: text('decided_at'),
    sourceClipId: text('source_clip_id'),
  },
  (t) => [primaryKey({ columns: [t.listId, t.entryId] }), index('hash_list_entries_media').on(t.mediaSha256)],
)

/**
 * Known-content match pairs (issue 14): for two hashed videos that share at least one frame
 * within the PDQ distance tolerance, how much of each matched the other — one row per
 * direction, so "which videos does X match" reads X's rows alone. Every pair with a hit is
 * kept, not only those over the match thresholds: the percentages thresholds can change
 * without matching anything again (the distance and quality tolerances cannot; changing
 * them empties the table, see known-content.ts). Derived from media_hashes; safe to drop.
 */
export const mediaMatchPairs = sqliteTable(
  'media_match_pairs',
  {
    querySha256: text('query_sha256')
      .notNull()
      .references(() => mediaObjects.sha256),
    comparedSha256: text('compared_sha256')
      .notNull()
      .references(() => mediaObjects.sha256),
    queryMatchPercent: real('query_match_percent').notNull(),
    comparedMatchPercent: real('compared_match_percent').notNull(),
    bestDistance: integer('best_distance').notNull(),
  },
  // The second index finds a video's rows as the compared side, to drop them when it is hashed again.
  (t) => [primaryKey({ columns: [t.querySha256, t.comparedSha256] }), index('media_match_pairs_compared').on(t.comparedSha256)],
)

/**
 * Videos whose pairs are in media_match_pairs, and under which hasher and tolerances (e.g.
 * `pdq/1fps/v2 d31 q50`): a video hashed again, or matched under other tolerances, is matched
 * again. Videos hashed before this table existed have no row and are matched when the index loads.
 */
export const mediaMatchScans = sqliteTable('media_match_scans', {
  sha256: text('sha256')
    .primaryKey()
    .references(() => mediaObjects.sha256),
  rule: text('rule').notNull(),
})

/**
 * Media whose frame hashes the sync service has answered for (issue 14): a push carries the
 * hashes of decided media not listed here, by the hasher that made them, and the answer is
 * kept so they go once. A media hashed again by a newer hasher is another row, so it goes
 * again. `rejected`: the service will not take them (not a clip it assigned this reviewer).
 */
export const mediaHashPushes = sqliteTable(
  'media_hash_pushes',
  {
    sha256: text('sha256').notNull(),
    hasher: text('hasher').notNull(),
    outcome: text('outcome', { enum: ['stored', 'duplicate', 'rejected'] }).notNull(),
    message: text('message'),
    answeredAt: text('answered_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sha256, t.hasher] })],
)

/**
 * Frame hashes of the team's media (pulled from the sync service, GET /v1/media-hashes) while
 * no clip using the media has a decision in force (disputed, pending): not matched, since
 * they carry no decision to apply, and kept so that when one comes (an adjudication brings
 * no frames again) they go back into the team's hash list (hash_lists source 'team').
 */
export const teamHashesWaiting = sqliteTable(
  'team_hashes_waiting',
  {
    sha256: text('sha256').notNull(),
    hasher: text('hasher').notNull(),
    frameCount: integer('frame_count').notNull(),
    /** Packed as hash_list_entries packs them. */
    hashes: blob('hashes', { mode: 'buffer' }).notNull(),
    qualities: blob('qualities', { mode: 'buffer' }).notNull(),
    timesMs: blob('times_ms', { mode: 'buffer' }).notNull(),
    receivedAt: text('received_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.sha256, t.hasher] })],
)
