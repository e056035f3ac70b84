import { z } from 'zod'
import { MAX_DECISIONS_AT_ONCE, type ApiEvent, type ApiMethod, type ProfileMethod } from './api-methods'
import type { PackKind } from './bridge'
import {
  AppInfo,
  AuditCheck,
  ClipDetail,
  DecisionDraft,
  DecisionRecord,
  ExportOutcome,
  ExportRequest,
  ImportProgress,
  ImportSummary,
  Locale,
  QueuePage,
  QueueQuery,
} from './domain'
import { Policy } from './policy'
import { HashJob, HashResult, HashStatus } from './frame-hashes'
import { ClipMatches, MatchingSettings } from './known-content'
import { HashListImportResult, HashListInfo } from './hash-lists'
import { EnrollInput, SyncIssues, SyncStatus } from './sync-status'
import { SkipInput, SkipRecord, WellnessSettings } from './wellness'
import { IdleLockSettings, ProfileStatus, SetPassphraseInput, UnlockInput } from './profile-lock'

/**
 * The API every host serves, defined once. Electron binds it to ipcMain.handle, the web
 * host to POST /api/<method>; both validate input with these schemas via `dispatch`.
 */

const Empty = z.object({}).strict().default({})
const ClipRef = z.object({ clipId: z.string().min(1).max(128) }).strict()
/** Chosen by the caller (the renderer makes one per import) so it can follow and stop it. */
const ImportId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and -, at most 64')

export const contract = {
  'app.info': { input: Empty, output: AppInfo },
  'settings.setLocale': { input: z.object({ locale: Locale }).strict(), output: z.object({ locale: Locale }) },
  'settings.get': { input: Empty, output: z.object({ locale: Locale, wellness: WellnessSettings, matching: MatchingSettings, idleLock: IdleLockSettings }) },
  'settings.setWellness': { input: WellnessSettings, output: WellnessSettings },
  /** The known-content match rule (issue 14); a new distance or quality tolerance re-matches stored videos in the background. */
  'settings.setMatching': { input: MatchingSettings, output: MatchingSettings },
  'policy.get': { input: Empty, output: Policy },
  'queue.list': { input: QueueQuery.strict(), output: QueuePage },
  'clip.get': { input: ClipRef, output: ClipDetail },
  'clip.skip': { input: SkipInput, output: SkipRecord },
  'decision.record': { input: DecisionDraft.strict(), output: DecisionRecord },
  /**
   * Several decisions at once, all or none (one decision applied to every copy of a known
   * video): each still its own decision and audit entry, each checked as `decision.record` checks it.
   */
  'decision.recordMany': {
    input: z.object({ decisions: z.array(DecisionDraft.strict()).min(1).max(MAX_DECISIONS_AT_ONCE) }).strict(),
    output: z.object({ items: z.array(DecisionRecord) }),
  },
  'decision.list': {
    input: z
      .object({
        clipId: z.string().min(1).max(128).optional(),
        limit: z.number().int().min(1).max(1000).default(100),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    output: z.object({ items: z.array(DecisionRecord), total: z.number().int() }),
  },
  'pack.importDemo': { input: Empty, output: ImportSummary },
  'pack.importDirectory': { input: z.object({ path: z.string().min(1).max(4096) }).strict(), output: ImportSummary },
  /** A pack folder or .zip; progress comes as `pack.importProgress` events tagged with `importId`. */
  'pack.import': { input: z.object({ path: z.string().min(1).max(4096), importId: ImportId }).strict(), output: ImportSummary },
  /** Stop that import: it rolls back and answers `cancelled`. False when no such import is running. */
  'pack.cancelImport': { input: z.object({ importId: ImportId }).strict(), output: z.object({ cancelled: z.boolean() }) },
  'export.decisions': { input: ExportRequest, output: ExportOutcome },
  'audit.verify': { input: Empty, output: AuditCheck },
  'sync.status': { input: Empty, output: SyncStatus },
  /** Enroll this device with a sync server by an operator's one-time code. */
  'sync.enroll': { input: EnrollInput, output: SyncStatus },
  /** Forget the server and the token; decisions stay. */
  'sync.unenroll': { input: Empty, output: SyncStatus },
  /** Start a run now (or join the one going on) and answer at once; `sync.status` events follow it. */
  'sync.run': { input: Empty, output: SyncStatus },
  'sync.issues': { input: Empty, output: SyncIssues },
  /** The next media object for the renderer's background hasher, claimed for it; null when all are done. */
  'hashes.next': { input: Empty, output: z.object({ job: HashJob.nullable(), status: HashStatus }) },
  /** The hasher's frames for a media object, or why it could not decode it (then it is not tried again). */
  'hashes.record': { input: HashResult, output: HashStatus },
  'hashes.status': { input: Empty, output: HashStatus },
  /** Other clips whose video matches this clip's by perceptual hash, and what was decided about them. */
  'clip.matches': { input: ClipRef, output: ClipMatches },
  /** A signed hash list file (docs/hash-list.md): checked whole, then put in force, or refused changing nothing. */
  'hashlist.import': { input: z.object({ path: z.string().min(1).max(4096) }).strict(), output: HashListImportResult },
  'hashlist.list': { input: Empty, output: z.object({ lists: z.array(HashListInfo) }) },
  /** Stop matching against a list: it and its entries leave the profile (decisions made from its matches stay). */
  'hashlist.remove': { input: z.object({ id: z.string().min(1).max(200) }).strict(), output: z.object({ removed: z.boolean() }) },
  /** What a chosen file is, by its contents (not its name): a hash list, or anything else (a pack, for pack.import to check). */
  'file.kind': { input: z.object({ path: z.string().min(1).max(4096) }).strict(), output: z.object({ kind: z.enum(['hashlist', 'pack']) }) },
  /** Minutes without the reviewer's input after which the host locks the profile (0: never). */
  'settings.setIdleLock': { input: IdleLockSettings, output: IdleLockSettings },
  /** The profile's lock (issue 15); these answer while the profile is locked. */
  'profile.status': { input: Empty, output: ProfileStatus },
  /** Unlock with a passphrase or the OS key store; for a new or clear profile this makes its key (and encrypts it). */
  'profile.unlock': { input: UnlockInput, output: ProfileStatus },
  /** Close the profile and forget its keys; `profile.status` events follow. */
  'profile.lock': { input: Empty, output: ProfileStatus },
  /** The reviewer is at work (input in the window): the host's idle timer starts again. */
  'profile.activity': { input: Empty, output: z.object({}) },
  /** Set or change the passphrase that also opens the profile (so the CLI can open an app-made one). */
  'profile.setPassphrase': { input: SetPassphraseInput, output: ProfileStatus },
} satisfies Record<ApiMethod, { input: z.ZodType; output: z.ZodType }>

export const events = {
  'queue.changed': z.object({ reason: z.enum(['import', 'decision', 'skip', 'settings', 'sync']) }),
  'pack.importProgress': ImportProgress,
  'sync.status': SyncStatus,
  'profile.status': ProfileStatus,
} satisfies Record<ApiEvent, z.ZodType>

type Contract = typeof contract
export type MethodInput<M extends ApiMethod> = z.input<Contract[M]['input']>
export type ParsedInput<M extends ApiMethod> = z.output<Contract[M]['input']>
export type MethodOutput<M extends ApiMethod> = z.output<Contract[M]['output']>
export type EventPayload<E extends ApiEvent> = z.output<(typeof events)[E]>

/** What a host binds: one function per method, given already-validated input. */
export type Handlers = { [M in ApiMethod]: (input: ParsedInput<M>) => MethodOutput<M> | Promise<MethodOutput<M>> }
/** What `dispatch` takes: every method but the lock's, which only hosts that lock serve. */
export type DispatchHandlers = Omit<Handlers, ProfileMethod> & Partial<Pick<Handlers, ProfileMethod>>

/** What the renderer calls, whatever host is behind it. */
export interface TinjauApi {
  call<M extends ApiMethod>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>
  on<E extends ApiEvent>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  /** A URL the host serves the content-addressed media object at. */
  mediaUrl(sha256: string): string
  /** How this host takes a pack from the reviewer: each is there only where the host can do it. */
  packs: PackSources
}

export interface PackSources {
  /** Electron: the OS dialog; resolves with the chosen path, or null when closed. */
  pick?(kind: PackKind): Promise<string | null>
  /** Electron: the path of a file or folder dropped on the window. */
  pathOf?(file: File): string | null
  /**
   * The web host: the browser cannot name a path, so a zip is sent to the host, which
   * answers where it put it (import that path; the import removes it).
   */
  upload?(file: File, onProgress?: (sent: number, total: number) => void, signal?: AbortSignal): Promise<string>
}

// Compile-time check that the name list and the schemas agree both ways.
type Missing = Exclude<ApiMethod, keyof Contract> | Exclude<keyof Contract, ApiMethod>
const _allMethodsDefined: Missing extends never ? true : never = true
void _allMethodsDefined
