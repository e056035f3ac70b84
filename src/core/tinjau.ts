import { existsSync } from 'node:fs'
import type Database from 'better-sqlite3'
import path from 'node:path'
import { GATE_FREE_METHODS, type ApiEvent, type ApiMethod, type ProfileMethod } from '../shared/api-methods'
import type { DispatchHandlers, EventPayload, MethodOutput, ParsedInput } from '../shared/contract'
import { TinjauError } from '../shared/errors'
import type { Policy } from '../shared/policy'
import { QUEUE_PAGE_ROWS } from '../shared/queue-constants'
import { verifyAudit } from './audit'
import { DecisionLog } from './decisions'
import { DEVICE_KEY_FILE, loadOrCreateDeviceKey, type DeviceKey, type KeyProtector } from './device-key'
import { runExport } from './export-run'
import { HashStore } from './hashes/hash-store'
import { KnownContent } from './hashes/known-content'
import { looksLikeHashList } from './hash-lists/hash-list-file'
import { HashListStore } from './hash-lists/hash-list-store'
import { importHashList } from './hash-lists/import-hash-list'
import { ListMatcher } from './hash-lists/list-matcher'
import { ImportRuns, type ImportHooks } from './import-runs'
import { MediaStore } from './media-store'
import { servableMediaType } from './media-type'
import { ManifestStore } from './manifest-store'
import { loadPolicy } from './policy-loader'
import { Queue } from './queue'
import { SearchIndex } from './search-index'
import { ensureIdentity, getIdleLock, getImportSettings, getSetting, getLocale, getMatching, getWellness, setIdleLock, setMatching, setSetting, setWellness, type Identity } from './settings'
import { SkipLog } from './skips'
import { SyncClient } from './sync'
import { syncHandlers } from './sync-handlers'
import { IdleCheckpointer } from './store/idle-checkpoint'
import { openStore, type Store } from './store/open-store'
import type { ProfileKeys } from './profile-crypto/profile-keys'
import { profileSecretsProtector } from './profile-crypto/secrets-protector'
import { WriteGate } from './write-gate'

/**
 * One open profile: the store, the policy, and the contract's handlers bound to them.
 * Every host (Electron, web, CLI) opens exactly this and adds only transport.
 */

export interface OpenTinjauOptions {
  dataDir: string
  resourcesDir: string
  host: 'electron' | 'web' | 'cli'
  version: string
  nativeBinding?: string
  now?: () => Date
  /** Worker threads an import parses clips on (0: none); default by core count for large packs. */
  importThreads?: number
  /** Clips per chunk of an import (tests only). */
  importChunkClips?: number
  /** Seals the device key's private half (Electron: safeStorage); without one it is a 0600 file. */
  keyProtector?: KeyProtector | null
  /** The profile's keys (profile-crypto/): the database and the files beside it are encrypted with them. */
  keys?: ProfileKeys | null
}

/** How long after a profile opens in a reviewer's host its background sync first runs. */
const SYNC_FIRST_RUN_DELAY_MS = 3_000
/** Videos whose match pairs are stored per background step (see scanPairs). */
const PAIR_SCAN_BATCH = 20
/** Between background sync runs, unless the setting `sync.interval_minutes` says otherwise. */
const SYNC_INTERVAL_MINUTES = 5

function syncIntervalMs(sqlite: Database.Database): number {
  const minutes = Number(getSetting(sqlite, 'sync.interval_minutes'))
  return (Number.isFinite(minutes) && minutes > 0 ? minutes : SYNC_INTERVAL_MINUTES) * 60_000
}

/** Methods that do file I/O and so answer asynchronously; all others answer at once. */
type AsyncMethod = 'pack.importDemo' | 'pack.importDirectory' | 'pack.import' | 'export.decisions' | 'sync.enroll' | 'sync.unenroll' | 'hashlist.import' | 'file.kind'
/** Methods that take the write gate themselves (the imports), or never touch the store. */
const UNGATED: readonly ApiMethod[] = ['pack.importDemo', 'pack.importDirectory', 'pack.import', ...GATE_FREE_METHODS]
/**
 * The contract with concrete return types, so core callers (CLI, tests) need not await sync
 * methods. The lock's methods are the host's (its profile session), not an open profile's.
 */
export type CoreHandlers = { [M in Exclude<ApiMethod, AsyncMethod | ProfileMethod>]: (input: ParsedInput<M>) => MethodOutput<M> } & {
  [M in AsyncMethod]: (input: ParsedInput<M>) => Promise<MethodOutput<M>>
}

type Listener = <E extends ApiEvent>(event: E, payload: EventPayload<E>) => void

export interface Tinjau {
  store: Store
  media: MediaStore
  manifests: ManifestStore
  /** Held while an import writes; hosts wait for it before each call (see dispatch). */
  gate: WriteGate
  policy: Policy
  identity: Identity
  decisions: DecisionLog
  queue: Queue
  /** The full-text index, built in the background after each import (see search-index.ts). */
  search: SearchIndex
  /** Imports started through `pack.import`, to follow and stop. */
  imports: ImportRuns
  /** This device's signing key (made on the first start of the profile); throws if it cannot be read. */
  deviceKey(): DeviceKey
  /** Perceptual hashes of the media: the background hasher's work list and its results (issue 14). */
  hashes: HashStore
  /** Clips that show the same footage, by the hashes (issue 14). */
  knownContent: KnownContent
  /** Imported hash lists and the team's hashes (docs/hash-list.md). */
  hashLists: HashListStore
  /** The sync client: enrollment, push/pull runs on demand and on a schedule, status (core/sync). */
  sync: SyncClient
  /** Checkpoints the WAL while nothing writes (store/idle-checkpoint.ts); null in the CLI. */
  checkpoints: IdleCheckpointer | null
  /** The contract bound to this profile. */
  handlers: CoreHandlers
  demoDir: string
  /** The type a host serves a media object as (see servableMediaType). */
  mediaType(sha256: string): string
  onEvent(listener: Listener): () => void
  close(): void
}

export function openTinjau(opts: OpenTinjauOptions): Tinjau {
  const policy = loadPolicy(opts.resourcesDir)
  const store = openStore({
    dataDir: opts.dataDir,
    migrationsDir: path.join(opts.resourcesDir, 'migrations'),
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    keys: opts.keys ?? null,
  })
  const { sqlite } = store
  // Media and pack.json files are encrypted with the files key when the profile has keys.
  const filesKey = opts.keys?.files ?? null
  const media = new MediaStore(store.paths.media, store.paths.tmp, filesKey)
  media.clearStaging()
  const manifests = new ManifestStore(store.paths.packs, store.paths.tmp, filesKey)
  const gate = new WriteGate()
  const identity = ensureIdentity(sqlite)
  // An encrypted profile seals its device key and sync token with its own key; the host's
  // protector (Electron's safeStorage) then only opens what it sealed before.
  const secretsProtector = opts.keys ? profileSecretsProtector(opts.keys) : (opts.keyProtector ?? null)
  const previousProtectors = opts.keys && opts.keyProtector ? [opts.keyProtector] : []
  // Made on the profile's first start, so the device has its key before its first export
  // (see device-key.ts); an existing one is read (and, in Electron, unsealed by the OS) on
  // first use, not on every start. A key that cannot be read fails the exports that need
  // it, not the reviewer's work.
  let keyOrError: DeviceKey | Error | null = null
  const loadKey = (): DeviceKey | Error => {
    try {
      return loadOrCreateDeviceKey(store.paths.root, secretsProtector ?? undefined, undefined, previousProtectors)
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err))
    }
  }
  // An encrypted profile reads it at once too, so a key kept plainly before encryption (or
  // sealed by the OS store) is sealed with the profile's key now, not at its first use.
  if (opts.keys || !existsSync(path.join(store.paths.root, DEVICE_KEY_FILE))) keyOrError = loadKey()
  const deviceKey = (): DeviceKey => {
    keyOrError ??= loadKey()
    if (keyOrError instanceof Error) throw new TinjauError('internal', `this device's signing key cannot be used: ${keyOrError.message}`)
    return keyOrError
  }
  const decisions = new DecisionLog(sqlite, policy, identity, opts.now)
  const search = new SearchIndex(sqlite, gate, manifests)
  const hashes = new HashStore(sqlite, opts.now)
  const knownContent = new KnownContent(sqlite, hashes, decisions, () => getMatching(sqlite))
  const queue = new Queue(sqlite, decisions, manifests, { search, copies: knownContent, ...(opts.now ? { now: opts.now } : {}) })
  // Background work for a long-running host, not for the CLI, whose one command would only
  // wait for it: the full-text index catches up (returns at once; see search-index.ts), and
  // the queue's filter facets, ~0.5 s to load at 100,000 clips, are loaded while nobody is
  // filtering yet (a while after start, and right after an import), not on the first filter.
  // Not sooner than 10 s after start: at 2 s the load stalled the first page of a starting
  // UI by half a second (measured with bench/console.bench.ts).
  const background = opts.host !== 'cli'
  const warmQueue = (delayMs: number) => {
    setTimeout(() => {
      if (sqlite.open && !gate.busy && !sqlite.inTransaction) queue.warm()
    }, delayMs).unref()
  }
  if (background) {
    // Checked in full a few seconds after start (the check scans every clip; the UI's first
    // calls come first).
    search.startAtOpen(5_000)
    warmQueue(10_000)
    // The UI's first call is the queue's first page. Read once now (the web host opens the
    // profile while the browser is still opening the tab), the status counts are cached and
    // SQLite's pages and statements are ready: ~36 ms cold against ~2 ms at 100,000 clips.
    setImmediate(() => {
      if (!sqlite.open || gate.busy || sqlite.inTransaction) return
      try {
        queue.page({ limit: QUEUE_PAGE_ROWS })
      } catch {
        // Only a head start: the UI's own call meets the same error and reports it.
      }
    }).unref()
  }
  const skips = new SkipLog(sqlite, identity, opts.now)
  const hashLists = new HashListStore(sqlite, opts.now)
  const listMatcher = new ListMatcher(hashLists)
  knownContent.attachLists(listMatcher)
  // Stored match pairs of videos hashed while no index was loaded, or before the tolerances
  // changed, a few at a time so that the console's calls get in between (each is one index
  // query: milliseconds, up to ~30 ms at a million stored frames).
  let scanning = false
  const scanPairs = (delayMs: number) => {
    if (!background || scanning) return
    scanning = true
    const step = () => {
      if (!sqlite.open) return
      if (gate.busy || sqlite.inTransaction) {
        setTimeout(step, 1_000).unref()
        return
      }
      let more = false
      try {
        more = knownContent.scanPending(PAIR_SCAN_BATCH) === PAIR_SCAN_BATCH
      } catch {
        // Derived data: the next start (or settings change) tries again; clip.matches does not need it.
        more = false
      }
      if (more) setTimeout(step, 0).unref()
      else {
        scanning = false
        emit('queue.changed', { reason: 'settings' })
      }
    }
    setTimeout(step, delayMs).unref()
  }
  if (background) {
    // The match index, after the queue's facets (10 s): otherwise it is built by the first
    // clip.matches, the moment a reviewer opens a clip.
    setTimeout(() => {
      if (sqlite.open && !gate.busy && !sqlite.inTransaction) {
        knownContent.warm()
        listMatcher.warm(getMatching(sqlite).qualityTolerance)
        scanPairs(0)
      }
    }, 15_000).unref()
  }
  // The CLI's one command ends by closing the connection, which checkpoints.
  const checkpoints = background ? new IdleCheckpointer({ sqlite, canRun: () => !gate.busy }) : null
  const demoDir = path.join(opts.resourcesDir, 'demo')
  const listeners = new Set<Listener>()
  const emit: Listener = (event, payload) => {
    for (const l of listeners) l(event, payload)
  }
  const clipCount = sqlite.prepare('SELECT count(*) FROM clips').pluck()
  const mediaMime = sqlite.prepare('SELECT mime FROM media_objects WHERE sha256 = ?').pluck()

  // The import's WAL is copied into the database right after it returns (see import-pack.ts),
  // unless another import holds the connection by then; that one will ask again.
  const checkpointSoon = () =>
    setImmediate(() => {
      if (sqlite.open && !gate.busy) sqlite.pragma('wal_checkpoint(PASSIVE)')
    })

  const importPack = async (source: string, hooks?: ImportHooks) => {
    // Loaded on the first import, not at open: the importer (ajv, the parse pool) is code a
    // starting app does not need yet.
    const { importPack: importFrom } = await import('./pack-import/import-pack')
    const summary = await importFrom(
      {
        store,
        media,
        manifests,
        gate,
        identity,
        settings: getImportSettings(sqlite),
        ...(opts.now ? { now: opts.now } : {}),
        ...(opts.importThreads !== undefined ? { threads: opts.importThreads } : {}),
        ...(opts.importChunkClips !== undefined ? { chunkClips: opts.importChunkClips } : {}),
        ...(hooks ? { onProgress: hooks.onProgress, signal: hooks.signal } : {}),
      },
      source,
    )
    if (!summary.alreadyImported) {
      hashes.clipsChanged()
      emit('queue.changed', { reason: 'import' })
      checkpointSoon()
      if (background) {
        search.start()
        warmQueue(0)
      }
    }
    return summary
  }

  const sync = new SyncClient({
    store,
    media,
    manifests,
    gate,
    identity,
    deviceKey,
    keyProtector: secretsProtector,
    previousProtectors,
    ...(opts.now ? { now: opts.now } : {}),
    onTeamHashesChanged: () => hashLists.notifyChanged(),
    // A pull wrote clips: the same follow-up as an import's.
    onClipsChanged: () => {
      hashes.clipsChanged()
      emit('queue.changed', { reason: 'sync' })
      checkpointSoon()
      if (background) {
        search.start()
        warmQueue(0)
      }
    },
    onDecisionsSynced: () => emit('queue.changed', { reason: 'sync' }),
  })
  sync.onStatus((status) => emit('sync.status', status))
  if (opts.keys) sync.resealToken()
  // Where a reviewer works (Electron, the web host) sync runs in the background; the CLI
  // syncs when asked. The first run waits a little so it never competes with the start.
  const firstSync = background ? setTimeout(() => sync.startSchedule(syncIntervalMs(sqlite)), SYNC_FIRST_RUN_DELAY_MS).unref() : null

  const imports = new ImportRuns(
    (source, hooks) => importPack(source, hooks),
    (p) => emit('pack.importProgress', p),
    path.join(store.paths.tmp, 'uploads'),
    () => {
      const s = getImportSettings(sqlite)
      return s.maxPackMediaBytes + s.maxManifestBytes
    },
  )
  imports.clearStaleUploads()

  const handlers = {
    'app.info': () => ({
      version: opts.version,
      host: opts.host,
      dataDir: store.paths.root,
      locale: getLocale(sqlite),
      reviewerId: identity.reviewerId,
      deviceId: identity.deviceId,
      clipCount: clipCount.get() as number,
      demoAvailable: existsSync(path.join(demoDir, 'pack.json')),
    }),
    'settings.setLocale': ({ locale }) => {
      setSetting(sqlite, 'locale', locale)
      return { locale }
    },
    'settings.get': () => ({ locale: getLocale(sqlite), wellness: getWellness(sqlite), matching: getMatching(sqlite), idleLock: getIdleLock(sqlite) }),
    'settings.setIdleLock': (value) => setIdleLock(sqlite, value),
    'settings.setWellness': (wellness) => setWellness(sqlite, wellness),
    'settings.setMatching': (matching) => {
      const before = getMatching(sqlite)
      const after = sqlite.transaction(() => {
        const stored = setMatching(sqlite, matching)
        knownContent.ruleChanged(before, stored)
        return stored
      })()
      emit('queue.changed', { reason: 'settings' })
      scanPairs(0)
      return after
    },
    'policy.get': () => policy,
    'queue.list': (q) => queue.page(q),
    'clip.get': ({ clipId }) => queue.clip(clipId),
    'clip.skip': (input) => {
      const skipped = skips.skip(input)
      emit('queue.changed', { reason: 'skip' })
      return skipped
    },
    'decision.record': (draft) => {
      const record = decisions.record(draft)
      emit('queue.changed', { reason: 'decision' })
      sync.countsChanged()
      return record
    },
    'decision.recordMany': ({ decisions: drafts }) => {
      const items = decisions.recordMany(drafts)
      emit('queue.changed', { reason: 'decision' })
      sync.countsChanged()
      return { items }
    },
    'decision.list': (q) => decisions.list(q),
    'pack.importDemo': () => importPack(demoDir),
    'pack.importDirectory': ({ path: dir }) => importPack(dir),
    'pack.import': ({ path: source, importId }) => imports.start(importId, source),
    'pack.cancelImport': ({ importId }) => ({ cancelled: imports.cancel(importId) }),
    'export.decisions': (req) => runExport({ store, manifests, policy, identity }, deviceKey, req),
    'audit.verify': () => verifyAudit(sqlite),
    ...syncHandlers(sync),
    'hashes.next': () => ({ job: hashes.next(), status: hashes.status() }),
    'hashes.record': (result) => hashes.record(result),
    'hashes.status': () => hashes.status(),
    'clip.matches': ({ clipId }) => knownContent.matches(clipId),
    'hashlist.import': async ({ path: file }) => {
      try {
        const result = await importHashList(hashLists, getImportSettings(sqlite), file)
        if (result.outcome !== 'unchanged') {
          emit('queue.changed', { reason: 'import' })
          // The lists' index is rebuilt now, while the reviewer reads the summary, not when the next clip opens.
          if (background) {
            setTimeout(() => {
              if (sqlite.open && !gate.busy && !sqlite.inTransaction) listMatcher.warm(getMatching(sqlite).qualityTolerance)
            }, 0).unref()
          }
        }
        return result
      } finally {
        await imports.discardUpload(file)
      }
    },
    'hashlist.list': () => ({ lists: hashLists.lists() }),
    'hashlist.remove': ({ id }) => {
      // The sync service sends the team's hashes again at the next sync: removing them by hand would only hide them until then.
      if (hashLists.get(id)?.source === 'team') {
        throw new TinjauError('conflict', `hash list "${id}" is the team's hashes, kept by sync: it cannot be removed by hand`, [
          { path: 'id', message: 'the team list is refilled by sync' },
        ])
      }
      const removed = hashLists.remove(id)
      if (!removed) throw new TinjauError('not_found', `no hash list "${id}" in this profile`, [{ path: 'id', message: 'not found' }])
      emit('queue.changed', { reason: 'import' })
      return { removed }
    },
    'file.kind': async ({ path: file }) => ({ kind: (await looksLikeHashList(file)) ? 'hashlist' : 'pack' }),
  } satisfies DispatchHandlers & CoreHandlers

  // Every method but the imports (which take the gate themselves) refuses to run while an
  // import holds the connection; hosts never get here then, since they wait for the gate.
  for (const name of Object.keys(handlers) as (keyof typeof handlers)[]) {
    if (UNGATED.includes(name)) continue
    const inner = handlers[name] as (input: unknown) => unknown
    ;(handlers as Record<string, (input: unknown) => unknown>)[name] = (input) => {
      gate.assertFree()
      return inner(input)
    }
  }

  return {
    store,
    media,
    manifests,
    gate,
    policy,
    identity,
    decisions,
    queue,
    search,
    imports,
    deviceKey,
    sync,
    hashes,
    knownContent,
    hashLists,
    checkpoints,
    handlers,
    demoDir,
    mediaType: (sha256) => servableMediaType(mediaMime.get(sha256) as string | undefined),
    onEvent(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close: () => {
      if (firstSync) clearTimeout(firstSync)
      sync.close()
      search.close()
      checkpoints?.close()
      store.close()
    },
  }
}
