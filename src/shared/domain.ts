import { z } from 'zod'
import { EXPORT_FORMATS } from './export-formats'
import { DecisionDraft, LOCALES } from './policy'
import { MatchedFrom } from './matched-from'
import { FLAG_SOURCES, FlagSource } from './field-pack'
import { CLIP_STATUSES, QUEUE_SORTS, SEARCH_HINTS, SEARCH_MAX_LENGTH } from './queue-constants'

export { CLIP_STATUSES, QUEUE_SORTS, SEARCH_HINTS, SEARCH_MAX_LENGTH }

/** Shapes that cross the contract: what the UI sees of clips, decisions and imports. */

export const ClipStatus = z.enum(CLIP_STATUSES)
export type ClipStatus = z.infer<typeof ClipStatus>

export const Locale = z.enum(LOCALES)

const IsoTime = z.string()

export const QueueItem = z.object({
  id: z.string(),
  status: ClipStatus,
  priority: z.number().nullable(),
  dueAt: IsoTime.nullable(),
  capturedAt: IsoTime,
  durationMs: z.number().nullable(),
  streamTitle: z.string().nullable(),
  accountHandle: z.string().nullable(),
  region: z.string().nullable(),
  commerce: z.boolean(),
  flagLabels: z.array(z.string()),
  flagSources: z.array(FlagSource),
  /** The clip has an authority_request flag: a takedown request with a legal deadline. */
  authority: z.boolean(),
  /**
   * Copies (issue 14): the clips whose videos match this one's, directly or through others,
   * this one included — `group` names them (the first clip id of the group), `count` is how
   * many. Null when the clip has no known copy.
   */
  copies: z.object({ group: z.string(), count: z.number().int().min(2) }).nullable().optional(),
})
export type QueueItem = z.infer<typeof QueueItem>

export const StatusCounts = z.record(ClipStatus, z.number().int())
export type StatusCounts = z.infer<typeof StatusCounts>

export const QueueSort = z.enum(QUEUE_SORTS)
export type QueueSort = z.infer<typeof QueueSort>


export const QueueQuery = z.object({
  status: z.array(ClipStatus).max(CLIP_STATUSES.length).optional(),
  /** Flag labels (policy category ids or unknown vendor labels): clips with a flag of any of them. */
  categories: z.array(z.string().min(1).max(128)).max(200).optional(),
  /** Clips with a flag from any of these sources. */
  sources: z.array(FlagSource).max(FLAG_SOURCES.length).optional(),
  /** The stream's region code, exactly (e.g. "ID-JK"). */
  region: z.string().min(1).max(16).optional(),
  /** true: live-selling streams only; false: all others. */
  commerce: z.boolean().optional(),
  /** Clips due at or before now + this many hours, overdue ones included; clips with no due time never match. */
  dueWithinHours: z.number().min(0).max(24 * 365).optional(),
  /** Full-text search over stream titles, transcripts and chat (syntax: core/search-query.ts). */
  search: z.string().max(SEARCH_MAX_LENGTH).optional(),
  /** Known content (issue 14): `any` keeps clips with a match, `decided` those matching a clip decided here or by the organisation. */
  hasMatch: z.enum(['any', 'decided']).optional(),
  /** Copies of one footage (matching videos) listed together, where the first of them falls in the order. */
  groupCopies: z.boolean().optional(),
  /** Default: urgency. */
  sort: QueueSort.optional(),
  limit: z.number().int().min(1).max(500).default(100),
  offset: z.number().int().min(0).default(0),
})
export type QueueQuery = z.infer<typeof QueueQuery>
export type QueueQueryInput = z.input<typeof QueueQuery>

export const SearchHint = z.enum(SEARCH_HINTS)
export type SearchHint = z.infer<typeof SearchHint>

export const SearchIndexState = z.object({
  /** False while clips imported lately are still being added to the full-text index: a search may miss them. */
  complete: z.boolean(),
  /** Clips in the index, and clips waiting for it. */
  indexed: z.number().int(),
  waiting: z.number().int(),
})
export type SearchIndexState = z.infer<typeof SearchIndexState>

export const QueuePage = z.object({
  items: z.array(QueueItem),
  /** Rows matching the filter, for paging. */
  total: z.number().int(),
  counts: StatusCounts,
  /** Set when `search` could not be read: then items is empty and total 0. */
  searchHint: SearchHint.nullable().optional(),
  searchIndex: SearchIndexState.optional(),
})
export type QueuePage = z.infer<typeof QueuePage>

export const ClipFlag = z.object({
  source: FlagSource,
  label: z.string(),
  score: z.number().nullable(),
  atMs: z.number().nullable(),
  count: z.number().nullable(),
  reference: z.string().nullable(),
  dueAt: IsoTime.nullable(),
})
export type ClipFlag = z.infer<typeof ClipFlag>

export const TimedLine = z.object({ atMs: z.number(), endMs: z.number().nullable(), text: z.string(), author: z.string().nullable() })
export type TimedLine = z.infer<typeof TimedLine>

export const MediaInfo = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mime: z.string(),
  bytes: z.number().int(),
  durationMs: z.number().nullable(),
  width: z.number().nullable(),
  height: z.number().nullable(),
})
export type MediaInfo = z.infer<typeof MediaInfo>

export const DecisionRange = z.object({ startMs: z.number(), endMs: z.number(), label: z.string(), note: z.string() })

export const DecisionRecord = z.object({
  id: z.string(),
  clipId: z.string(),
  revisesId: z.string().nullable(),
  policyId: z.string(),
  policyVersion: z.string(),
  categories: z.array(z.string()),
  action: z.string(),
  escalationTarget: z.string().nullable(),
  ranges: z.array(DecisionRange),
  rationale: z.string(),
  reviewerId: z.string(),
  deviceId: z.string(),
  decidedAt: IsoTime,
  /** The known-content match the reviewer started from; null when decided from scratch. */
  matchedFrom: MatchedFrom.nullable(),
  /** `pending` until the sync service acknowledges it. */
  syncState: z.enum(['pending', 'acked', 'rejected']),
})
export type DecisionRecord = z.infer<typeof DecisionRecord>

/** The organisation's outcome of a clip the reviewer decided, as the sync service last said it. */
export const ClipOutcome = z.object({
  kind: z.enum(['pending', 'single_review', 'consensus', 'disputed', 'adjudicated']),
  action: z.string().nullable(),
  categories: z.array(z.string()),
  rationale: z.string().nullable(),
  /** The lead who settled it (adjudicated only). */
  leadName: z.string().nullable(),
  /** Whether the reviewer's decision agrees with it; null while it carries no decision. */
  upheld: z.boolean().nullable(),
  yourDecisionId: z.string().nullable(),
  settledAt: IsoTime,
})
export type ClipOutcome = z.infer<typeof ClipOutcome>

export const ClipDetail = z.object({
  id: z.string(),
  packId: z.string(),
  status: ClipStatus,
  capturedAt: IsoTime,
  dueAt: IsoTime.nullable(),
  priority: z.number().nullable(),
  media: MediaInfo,
  poster: MediaInfo.nullable(),
  stream: z.object({
    id: z.string(),
    title: z.string().nullable(),
    startedAt: IsoTime.nullable(),
    region: z.string().nullable(),
    language: z.string().nullable(),
    commerce: z.boolean(),
    viewerPeak: z.number().nullable(),
  }),
  account: z.object({
    id: z.string(),
    handle: z.string().nullable(),
    displayName: z.string().nullable(),
    type: z.enum(['business', 'private']),
    followers: z.number().nullable(),
    priorStrikes: z.number().nullable(),
  }),
  segment: z.object({ startMs: z.number(), endMs: z.number() }),
  flags: z.array(ClipFlag),
  transcript: z.array(TimedLine),
  chat: z.array(TimedLine),
  /** Every decision on the clip, oldest first; the last one is in force. */
  decisions: z.array(DecisionRecord),
  /** The organisation's outcome, once a sync brought one. */
  outcome: ClipOutcome.nullable().optional(),
})
export type ClipDetail = z.infer<typeof ClipDetail>

export const ImportSummary = z.object({
  packId: z.string(),
  clips: z.number().int(),
  added: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  mediaAdded: z.number().int(),
  mediaBytesAdded: z.number().int(),
  /** True when this exact pack.json had been imported before: nothing changed. */
  alreadyImported: z.boolean(),
})
export type ImportSummary = z.infer<typeof ImportSummary>

/** How far along: `total` is null until it is known (the clips once pack.json is read). */
const ProgressCount = z.object({ done: z.number().int().min(0), total: z.number().int().min(0).nullable() })

/**
 * An import in progress, sent as the `pack.importProgress` event at most every ~100 ms and
 * once at the end. `importId` is the one the caller gave `pack.import`.
 */
export const ImportProgress = z.object({
  importId: z.string(),
  phase: z.enum(['reading', 'clips', 'media', 'saving', 'done', 'failed', 'cancelled']),
  clips: ProgressCount,
  files: ProgressCount,
  bytes: ProgressCount,
})
export type ImportProgress = z.infer<typeof ImportProgress>

export { EXPORT_FORMATS, type ExportFormat } from './export-formats'

/**
 * Decisions out: a signed decision pack (a .zip file), DSA statements of reasons (files in a
 * folder) or CSV (a file), of a time range on decided_at and/or one field pack's clips.
 */
export const ExportRequest = z
  .object({
    format: z.enum(EXPORT_FORMATS),
    /** The file (pack, csv) or the folder (dsa) to write, on the host's machine. */
    out: z.string().min(1).max(4096),
    from: z.string().min(1).max(64).optional(),
    to: z.string().min(1).max(64).optional(),
    packId: z.string().min(1).max(128).optional(),
    overwrite: z.boolean().default(false),
  })
  .strict()
export type ExportRequest = z.infer<typeof ExportRequest>

export const ExportOutcome = z.object({
  format: z.enum(EXPORT_FORMATS),
  /** What was written: one file, or the statement files. */
  paths: z.array(z.string()),
  /** Decisions in the export (pack, csv), or statements made (dsa). */
  count: z.number().int(),
  /** The device key a decision pack was signed with. */
  publicKey: z.string().nullable(),
})
export type ExportOutcome = z.infer<typeof ExportOutcome>

export const AppInfo = z.object({
  version: z.string(),
  host: z.enum(['electron', 'web', 'cli']),
  dataDir: z.string(),
  locale: Locale,
  reviewerId: z.string(),
  deviceId: z.string(),
  clipCount: z.number().int(),
  demoAvailable: z.boolean(),
})
export type AppInfo = z.infer<typeof AppInfo>

export const AuditCheck = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  /** Sequence number of the first entry whose hash does not follow from the chain. */
  brokenAt: z.number().int().nullable(),
})
export type AuditCheck = z.infer<typeof AuditCheck>

export { DecisionDraft }
