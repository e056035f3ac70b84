import os from 'node:os'
import { z } from 'zod'
import { TinjauError } from '../../shared/errors'
import { EnrollResponse, RevokeSelfResponse, SIGNATURE_HEADER, SYNC_PATHS, type Adjudication } from '../../shared/sync-protocol'
import { appendAudit } from '../audit'
import type { DeviceKey, KeyProtector } from '../device-key'
import type { ManifestStore } from '../manifest-store'
import type { MediaStore } from '../media-store'
import { wipeProfile, type WipeResult } from '../profile-crypto/wipe-profile'
import { getImportSettings, getSetting, setSetting, type Identity } from '../settings'
import type { Store } from '../store/open-store'
import type { WriteGate } from '../write-gate'
import { fullJitterDelay, REQUEST_BACKOFF, RUN_BACKOFF, withRetries, type BackoffPolicy, type RandomSource, type Sleep } from './backoff'
import { normalizeServerUrl, retryVerdict, SyncHttp, SyncRequestError } from './http'
import { clearNotices, fetchNotices, openNoticeCount, storedNotices, storeNotices } from './notices'
import { clearOutcomes, deviceStatus, pullOutcomes } from './outcomes'
import type { PullCounts } from './pull'
import { DEFAULT_PUSH_BATCH, Outbox, pushAll, type PushCounts, type RejectedDecision } from './push'
import { MediaHashPushes } from './push-hashes'
import { clearTeamHashes, pullTeamHashes } from './team-hashes'
import { StatusEmitter, type SyncActivity, type SyncCounts, type SyncFailureCode, type SyncPhase, type SyncServerInfo, type SyncStatus, type SyncStatusListener } from './state'
import { TokenStore, TokenStoreError } from './token-store'

/**
 * The sync client of one profile: enrollment, and runs of push → pull → notices, on demand
 * or on a schedule, never two at once. What it does is told through SyncStatus (state.ts).
 * Runs are safe to stop anywhere (AbortSignal, a crash, a closed laptop): every write
 * happens in a transaction after the server has answered, so the next run starts from a
 * consistent profile and repeats only what the server will recognise as repeated.
 */

export interface SyncClientOptions {
  store: Store
  media: MediaStore
  manifests: ManifestStore
  gate: WriteGate
  /** The profile's identity object, shared with the decision log: enrollment updates it in place. */
  identity: Identity
  deviceKey: () => Pick<DeviceKey, 'publicKey' | 'sign'>
  keyProtector?: KeyProtector | null
  /** Protectors that may have sealed the token before (TokenStore). */
  previousProtectors?: readonly KeyProtector[]
  now?: () => Date
  /** For jitter; tests pass a seeded one. */
  random?: RandomSource
  sleep?: Sleep
  requestBackoff?: BackoffPolicy
  runBackoff?: BackoffPolicy
  /** Attempts per request within one run, the first included. */
  maxAttempts?: number
  /** One attempt of an API request, answer included. */
  timeoutMs?: number
  /** A media download attempt is abandoned when no byte arrives for this long. */
  stallMs?: number
  pushBatch?: number
  /** Bytes of a push body, decisions and media hashes together (push.ts PUSH_BODY_BYTES); tests pass less. */
  pushBodyBytes?: number
  pullPage?: number
  mediaConcurrency?: number
  fetch?: typeof fetch
  /** A pull changed clips: the host refreshes its queue and search index. */
  onClipsChanged?: () => void
  /** A pull changed the team's hash list (hash_lists source 'team'): the match index reloads it. */
  onTeamHashesChanged?: () => void
  /** A push changed clip statuses (decided → synced). */
  onDecisionsSynced?: () => void
}

export interface SyncRunResult {
  startedAt: string
  finishedAt: string
  pushed: PushCounts
  pulled: PullCounts
  /** Open adjudications after the run. */
  notices: number
  /** Outcome notices received in this run (a clip's outcome can come more than once). */
  outcomes: number
}

/** A run that stopped: `sync` says why and what happens next (the same as the status then shows). */
export class SyncRunError extends TinjauError {
  constructor(
    readonly failure: { code: SyncFailureCode; offline: boolean; message: string; next: string },
    cause?: unknown,
  ) {
    super(failure.code === 'unauthorized' || failure.code === 'token_unreadable' || failure.code === 'device_revoked' ? 'unauthorized' : 'internal', `${failure.message} — ${failure.next}`)
    this.name = 'SyncRunError'
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause
  }
}

const K = {
  url: 'sync.server_url',
  reviewerId: 'sync.reviewer_id',
  reviewerName: 'sync.reviewer_name',
  enrolledAt: 'sync.enrolled_at',
  cursor: 'sync.cursor',
  lastSuccess: 'sync.last_success_at',
} as const

/** Unenroll asks the server to revoke the token once, and waits at most this long for it. */
export const UNENROLL_REVOKE_TIMEOUT_MS = 5_000

/** The last run started on each profile connection, by any client: runs on one profile go one after another. */
const profileRuns = new WeakMap<object, Promise<void>>()
const noop = () => {}

/** A failed run that needs the reviewer (or the operator) before another can succeed. */
const PAUSING: readonly SyncFailureCode[] = ['unauthorized', 'token_unreadable', 'protocol_mismatch']

/** What a revoked device says, by what the wipe found (an encrypted profile, or a clear one with no key). */
export function revokedMessage(wiped: WipeResult): string {
  return wiped.key
    ? 'this device was revoked by your organisation; its profile was wiped: its key is gone, so the decisions, clips and media on this device can no longer be read'
    : 'this device was revoked by your organisation; its profile is not encrypted, so there was no key to wipe (its sync token and device key were removed)'
}

export class SyncClient {
  private readonly sqlite
  private readonly tokens: TokenStore
  private readonly outbox: Outbox
  private readonly hashPushes: MediaHashPushes
  private readonly emitter = new StatusEmitter()
  private readonly now: () => Date
  private readonly random: RandomSource
  private activity: SyncActivity
  private counts: SyncCounts = { pending: 0, rejected: 0, notices: 0 }
  private lastAttemptAt: string | null = null
  private nextRunAt: string | null = null
  private running: Promise<SyncRunResult> | null = null
  private runAbort: AbortController | null = null
  private schedule: { stop: () => void; wake: () => void } | null = null
  private closed = false
  /** Set once the server said `device_revoked` and the profile was wiped: nothing more is sent or written. */
  private revoked: WipeResult | null = null

  constructor(private readonly opts: SyncClientOptions) {
    this.sqlite = opts.store.sqlite
    this.now = opts.now ?? (() => new Date())
    this.random = opts.random ?? Math.random
    this.tokens = new TokenStore(opts.store.paths.root, opts.keyProtector ?? null, opts.previousProtectors ?? [])
    this.outbox = new Outbox(this.sqlite, opts.identity, this.now)
    this.hashPushes = new MediaHashPushes(this.sqlite, this.now)
    this.activity = this.server() ? (getSetting(this.sqlite, K.lastSuccess) ? { state: 'up_to_date' } : { state: 'idle' }) : { state: 'not_enrolled' }
  }

  // ---- what the hosts show ------------------------------------------------------------

  /** The current status, with counts read afresh. */
  status(): SyncStatus {
    if (!this.opts.gate.busy) this.refreshCounts()
    return this.snapshot()
  }

  onStatus(listener: SyncStatusListener): () => void {
    return this.emitter.add(listener)
  }

  /** The outbox changed outside a run (a decision was recorded): tell listeners the new counts. */
  countsChanged(): void {
    if (this.closed || this.opts.gate.busy) return
    this.refreshCounts()
    this.publish()
  }

  rejectedDecisions(limit = 100, offset = 0): RejectedDecision[] {
    return this.outbox.rejectedDecisions(limit, offset)
  }

  /** Send rejected decisions again on the next run (after the cause was fixed on the server). */
  requeueRejected(): number {
    this.opts.gate.assertFree()
    const n = this.outbox.requeueRejected()
    this.countsChanged()
    return n
  }

  notices(): Adjudication[] {
    return storedNotices(this.sqlite)
  }

  server(): SyncServerInfo | null {
    const url = getSetting(this.sqlite, K.url)
    const reviewerId = getSetting(this.sqlite, K.reviewerId)
    if (!url || !reviewerId) return null
    return { url, reviewerId, reviewerName: getSetting(this.sqlite, K.reviewerName) ?? '', enrolledAt: getSetting(this.sqlite, K.enrolledAt) ?? '' }
  }

  // ---- enrollment ---------------------------------------------------------------------

  /**
   * Enroll this device with a sync server using a one-time code from its operator. The
   * server's reviewer id becomes this profile's for decisions made from now on; decisions
   * already made under another id keep it (they are never rewritten) and the server will
   * refuse them as not_own_decision, so they end up among the rejected ones.
   */
  async enroll(serverUrl: string, code: string, opts: { signal?: AbortSignal; deviceName?: string } = {}): Promise<SyncServerInfo> {
    let url: string
    try {
      url = normalizeServerUrl(serverUrl)
    } catch (err) {
      throw new TinjauError('invalid_input', (err as Error).message, [{ path: 'serverUrl', message: (err as Error).message }])
    }
    if (this.running) throw new TinjauError('conflict', 'a sync is running; enroll when it has finished')
    if (this.revoked) throw this.revokedError()
    const key = this.deviceKey()
    const http = new SyncHttp({ baseUrl: url, token: () => null, timeoutMs: this.opts.timeoutMs ?? 30_000, ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}) })
    const what = `enrollment with ${url}`
    const body = JSON.stringify({ code: code.trim(), device_id: this.opts.identity.deviceId, public_key: key.publicKey, device_name: (opts.deviceName ?? safeHostName()).slice(0, 200) })
    let res: EnrollResponse
    try {
      // Transient failures (network, timeout, 5xx, 429, an answer cut short) are retried with
      // the request backoff. That is safe: the server answers a repeat of the same code from
      // the same device (id and key) with a new token and drops the previous one, so an
      // enrollment whose answer was lost still completes, and only the token kept here works.
      // Signed like a push: the server checks that this device holds the key it enrolls.
      const headers = { [SIGNATURE_HEADER]: key.sign(Buffer.from(body, 'utf8')).toString('base64') }
      res = await this.retry(what, () => http.json({ what, method: 'POST', path: SYNC_PATHS.enroll, body, headers, schema: EnrollResponse, auth: false, signal: opts.signal }), opts.signal)
    } catch (err) {
      if (opts.signal?.aborted) throw new TinjauError('cancelled', 'enrollment was cancelled; nothing was changed')
      if (err instanceof SyncRequestError) {
        const hint = err.code === 'enrollment_refused' ? ' (the code is unknown, used or expired: ask the operator for a new one)' : ''
        throw new TinjauError(err.code === 'enrollment_refused' || err.status === 401 ? 'unauthorized' : 'internal', `${err.message}${hint}`)
      }
      throw err
    }
    if (res.device_id !== this.opts.identity.deviceId) {
      throw new TinjauError('internal', `${what}: the server enrolled device ${res.device_id}, not this one (${this.opts.identity.deviceId}); nothing was changed`)
    }
    const before = this.server()
    await this.locked(() => {
      this.tokens.write(res.token)
      const at = this.now().toISOString()
      this.sqlite
        .transaction(() => {
          // Another server or another reviewer: its assignments start from the beginning.
          if (!before || before.url !== url || before.reviewerId !== res.reviewer_id) setSetting(this.sqlite, K.cursor, '')
          setSetting(this.sqlite, K.url, url)
          setSetting(this.sqlite, K.reviewerId, res.reviewer_id)
          setSetting(this.sqlite, K.reviewerName, res.reviewer_name)
          setSetting(this.sqlite, K.enrolledAt, at)
          setSetting(this.sqlite, 'reviewer_id', res.reviewer_id)
          appendAudit(this.sqlite, {
            at,
            actor: res.reviewer_id,
            deviceId: this.opts.identity.deviceId,
            kind: 'sync.enrolled',
            subject: url,
            payload: { reviewerId: res.reviewer_id, previousReviewerId: this.opts.identity.reviewerId, publicKey: key.publicKey },
          })
        })
        .immediate()
      this.opts.identity.reviewerId = res.reviewer_id
    })
    this.activity = getSetting(this.sqlite, K.lastSuccess) && before?.url === url ? { state: 'up_to_date' } : { state: 'idle' }
    this.refreshCounts()
    this.publish()
    this.schedule?.wake()
    return this.server()!
  }

  /**
   * Unenroll this device: ask the server to revoke its token, then forget the server and
   * the token here. Decisions, the outbox and clips stay.
   *
   * The server is asked once, with a short timeout, and whatever it answers — or when it
   * cannot be reached, or the token file cannot be read — the device forgets its token
   * anyway: a reviewer who is offline (or whose server is gone) must still be able to
   * unenroll, and a token the server did not hear about can still be revoked there by the
   * operator (`tinjau-server device revoke`). The audit entry says whether the server did.
   */
  async unenroll(): Promise<void> {
    this.runAbort?.abort(new TinjauError('cancelled', 'sync was stopped: the device is being unenrolled'))
    await this.running?.catch(() => {})
    if (this.revoked) throw this.revokedError()
    const revokedOnServer = await this.revokeOnServer()
    // The server said the organisation revoked this device: it was wiped, and nothing more is written.
    if (this.revoked) throw this.revokedError()
    await this.locked(() => {
      this.tokens.clear()
      const server = this.server()
      this.sqlite
        .transaction(() => {
          for (const k of Object.values(K)) this.sqlite.prepare('DELETE FROM settings WHERE key = ?').run(k)
          clearNotices(this.sqlite)
          clearOutcomes(this.sqlite)
          // What this service holds and sent: another service starts afresh.
          clearTeamHashes(this.sqlite)
          this.sqlite.prepare('DELETE FROM media_hash_pushes').run()
          if (server) {
            appendAudit(this.sqlite, {
              at: this.now().toISOString(),
              actor: this.opts.identity.reviewerId,
              deviceId: this.opts.identity.deviceId,
              kind: 'sync.unenrolled',
              subject: server.url,
              payload: { revokedOnServer },
            })
          }
        })
        .immediate()
    })
    this.opts.onTeamHashesChanged?.()
    this.activity = { state: 'not_enrolled' }
    this.refreshCounts()
    this.publish()
  }

  /**
   * Read the token once, so one kept plainly or under an earlier protector is sealed by the
   * current one now (TokenStore.read), not at the next sync. A token it cannot read stays
   * as it is: the next sync reports that.
   */
  resealToken(): void {
    try {
      this.tokens.read()
    } catch {
      // reported by the next sync run
    }
  }

  /**
   * One attempt at `POST /v1/devices/self/revoke` with the stored token, at most
   * UNENROLL_REVOKE_TIMEOUT_MS. Never throws: true when the server confirmed, false
   * otherwise (not enrolled, no readable token, offline, refused, a broken answer).
   */
  private async revokeOnServer(): Promise<boolean> {
    const server = this.server()
    if (!server) return false
    let token: string | null
    try {
      token = this.tokens.read()
    } catch {
      return false
    }
    if (token === null) return false
    const http = new SyncHttp({
      baseUrl: server.url,
      token: () => token,
      timeoutMs: Math.min(this.opts.timeoutMs ?? UNENROLL_REVOKE_TIMEOUT_MS, UNENROLL_REVOKE_TIMEOUT_MS),
      ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
      onDeviceRevoked: () => this.deviceRevoked(),
    })
    try {
      await http.json({ what: `revoking this device's token on ${server.url}`, method: 'POST', path: SYNC_PATHS.revokeSelf, schema: RevokeSelfResponse })
      return true
    } catch {
      return false
    }
  }

  // ---- runs ---------------------------------------------------------------------------

  /**
   * One run: push the outbox, pull assignments, fetch notices, each request with retries.
   * A call while a run is going on returns that run. Aborting `signal` stops the run (what
   * was answered so far stays applied) and throws the `cancelled` error.
   */
  syncNow(opts: { signal?: AbortSignal } = {}): Promise<SyncRunResult> {
    if (this.closed) return Promise.reject(new TinjauError('conflict', 'the profile is closed'))
    if (this.revoked) return Promise.reject(this.revokedError())
    if (this.running) {
      if (opts.signal) linkAbort(opts.signal, this.runAbort!)
      return this.running
    }
    const abort = new AbortController()
    if (opts.signal) linkAbort(opts.signal, abort)
    this.runAbort = abort
    // Another client on the same profile (a second SyncClient on the same connection) runs
    // first: two runs at once would download into the same partial files and write the same
    // pages twice.
    const before = profileRuns.get(this.sqlite) ?? Promise.resolve()
    this.running = before.then(() => this.run(abort.signal)).finally(() => {
      this.running = null
      this.runAbort = null
    })
    profileRuns.set(this.sqlite, this.running.then(noop, noop))
    return this.running
  }

  /**
   * Run in the background: now, then every `intervalMs` after a run that succeeded, sooner
   * or later after one that failed (backoff with jitter: RUN_BACKOFF). After a failure that
   * needs the reviewer (the token refused, another protocol version) it waits for the next
   * enrollment. Returns a function that stops it; so does aborting `signal`.
   */
  startSchedule(intervalMs: number, opts: { signal?: AbortSignal } = {}): () => void {
    this.schedule?.stop()
    let stopped = false
    let timer: NodeJS.Timeout | null = null
    let wakeUp: (() => void) | null = null
    const wake = () => {
      if (timer) clearTimeout(timer)
      timer = null
      const w = wakeUp
      wakeUp = null
      w?.()
    }
    const stop = () => {
      stopped = true
      wake()
      if (this.schedule?.stop === stop) this.schedule = null
      this.nextRunAt = null
    }
    opts.signal?.addEventListener('abort', stop, { once: true })
    this.schedule = { stop, wake }
    const waitFor = (ms: number | null) =>
      new Promise<void>((resolve) => {
        wakeUp = resolve
        this.nextRunAt = ms === null ? null : new Date(this.now().getTime() + ms).toISOString()
        this.updateNextRetry()
        if (ms !== null) {
          timer = setTimeout(wake, ms)
          // The schedule never keeps a process alive on its own.
          timer.unref()
        }
      })
    void (async () => {
      let failures = 0
      while (!stopped && !this.closed) {
        this.nextRunAt = null
        let pause = false
        if (this.server()) {
          try {
            await this.syncNow(opts.signal ? { signal: opts.signal } : {})
            failures = 0
          } catch (err) {
            failures++
            pause = err instanceof SyncRunError && PAUSING.includes(err.failure.code)
          }
        } else {
          pause = true
        }
        // A revoked device never syncs again.
        if (stopped || this.closed || this.revoked) break
        await waitFor(pause ? null : failures === 0 ? intervalMs : Math.max(1_000, fullJitterDelay(this.opts.runBackoff ?? RUN_BACKOFF, failures - 1, this.random)))
      }
    })()
    return stop
  }

  close(): void {
    this.closed = true
    this.schedule?.stop()
    this.runAbort?.abort(new TinjauError('cancelled', 'the profile was closed'))
    this.emitter.close()
  }

  // ---- inside a run -------------------------------------------------------------------

  private async run(signal: AbortSignal): Promise<SyncRunResult> {
    const server = this.server()
    if (!server) throw new TinjauError('unauthorized', 'this device is not enrolled with a sync server; enroll it first (a server URL and a code from its operator)')
    const settled = this.activity
    const startedAt = this.now().toISOString()
    this.lastAttemptAt = startedAt
    try {
      let token: string | null
      try {
        token = this.tokens.read()
      } catch (err) {
        if (err instanceof TokenStoreError) throw this.fail({ code: 'token_unreadable', offline: false, message: err.message }, err)
        throw err
      }
      if (token === null) throw this.fail({ code: 'token_unreadable', offline: false, message: `no sync token is stored (${this.tokens.file})` })
      const http = new SyncHttp({
        baseUrl: server.url,
        token: () => token,
        timeoutMs: this.opts.timeoutMs ?? 30_000,
        ...(this.opts.fetch ? { fetch: this.opts.fetch } : {}),
        onDeviceRevoked: () => this.deviceRevoked(),
      })
      const key = this.deviceKey()
      const progress = (phase: SyncPhase, done: number, total: number | null) => {
        this.activity = { state: 'syncing', phase, done, total }
        this.publish()
      }
      const retry = <T>(what: string, attempt: () => Promise<T>, onFailed?: (err: unknown) => void) => this.retry(what, attempt, signal, onFailed)

      let pushError: SyncRequestError | null = null
      const pushed = await pushAll({
        http,
        outbox: this.outbox,
        hashes: this.hashPushes,
        sign: (bytes) => key.sign(bytes),
        batchSize: this.opts.pushBatch ?? DEFAULT_PUSH_BATCH,
        ...(this.opts.pushBodyBytes ? { maxBodyBytes: this.opts.pushBodyBytes } : {}),
        retry: (what, attempt, onFailed) => retry(what, attempt, onFailed),
        locked: (fn) => this.locked(fn),
        signal,
        onProgress: (done, total) => {
          if (done > 0) this.refreshCounts()
          progress('push', done, total)
        },
      }).catch((err: unknown): PushCounts => {
        // A push the server refused for good (a 400, say) must not also hold back new
        // assignments: the pull goes on, and the run reports the push at its end. Trouble
        // that would stop the pull as well (network, token, protocol) ends the run here.
        if (!signal.aborted && err instanceof SyncRequestError && isPushOnlyFailure(err)) {
          pushError = err
          return { stored: 0, duplicate: 0, rejected: 0 }
        }
        throw err
      })
      if (pushed.stored + pushed.duplicate > 0) this.opts.onDecisionsSynced?.()

      // Loaded on the first pull: it brings the pack importer's checks (ajv, zod schemas),
      // which a starting app does not need.
      const { pullAll } = await import('./pull')
      const pulled = await pullAll({
        http,
        store: this.opts.store,
        media: this.opts.media,
        manifests: this.opts.manifests,
        identity: this.opts.identity,
        maxMediaBytes: getImportSettings(this.sqlite).maxMediaBytes,
        ...(this.opts.pullPage ? { pageLimit: this.opts.pullPage } : {}),
        ...(this.opts.mediaConcurrency ? { mediaConcurrency: this.opts.mediaConcurrency } : {}),
        stallMs: this.opts.stallMs ?? this.opts.timeoutMs ?? 30_000,
        now: this.now,
        getCursor: () => getSetting(this.sqlite, K.cursor) ?? '',
        setCursor: (c) => setSetting(this.sqlite, K.cursor, c),
        retry: (what, attempt) => retry(what, attempt),
        locked: (fn) => this.locked(fn),
        signal,
        onProgress: progress,
        ...(this.opts.onClipsChanged ? { onClipsChanged: this.opts.onClipsChanged } : {}),
      })

      progress('notices', 0, 1)
      const list = await fetchNotices(http, server.reviewerId, signal, retry)
      await this.locked(() => storeNotices(this.sqlite, list))

      progress('outcomes', 0, 1)
      const outcomes = await pullOutcomes({ http, sqlite: this.sqlite, reviewerId: server.reviewerId, now: this.now, signal, retry, locked: (fn) => this.locked(fn) })
      if (outcomes > 0) this.opts.onClipsChanged?.()
      // The team's known footage, kept as the hash list of source 'team'.
      const teamHashes = await pullTeamHashes({ http, sqlite: this.sqlite, serverUrl: server.url, now: this.now, signal, retry, locked: (fn) => this.locked(fn) })
      if (teamHashes > 0) this.opts.onTeamHashesChanged?.()
      await this.reportStatus(http, server.reviewerId, signal)

      if (pushError) throw pushError
      const finishedAt = this.now().toISOString()
      await this.locked(() => setSetting(this.sqlite, K.lastSuccess, finishedAt))
      this.activity = { state: 'up_to_date' }
      this.refreshCounts()
      this.publish()
      return { startedAt, finishedAt, pushed, pulled, notices: this.counts.notices, outcomes }
    } catch (err) {
      if (this.revoked) throw this.revokedError()
      if (signal.aborted) {
        // Stopped by the reviewer: back to where things stood, with what was applied meanwhile.
        this.activity = settled.state === 'syncing' ? { state: 'idle' } : settled
        this.refreshCounts()
        this.publish()
        throw signal.reason instanceof TinjauError ? signal.reason : new TinjauError('cancelled', 'sync was stopped; what the server had answered so far is kept')
      }
      throw err instanceof SyncRunError ? err : this.fail(classify(err), err)
    }
  }

  /**
   * Tell the service what this device holds, for the lead's progress view. Informative only:
   * a service that does not take it (an older one) or a failure here never fails the run.
   */
  private async reportStatus(http: SyncHttp, reviewerId: string, signal: AbortSignal): Promise<void> {
    try {
      await http.json({
        what: 'device status',
        method: 'POST',
        path: SYNC_PATHS.deviceStatus,
        body: JSON.stringify(deviceStatus(this.sqlite, reviewerId)),
        schema: z.object({ recorded: z.boolean() }),
        signal,
      })
    } catch (err) {
      if (signal.aborted || this.revoked) throw err
    }
  }

  /** Set the status for a failed run and make the error the caller gets. */
  private fail(f: { code: SyncFailureCode; offline: boolean; message: string }, cause?: unknown): SyncRunError {
    const next = this.nextStep(f.code)
    this.activity = f.offline ? { state: 'offline', message: f.message, nextRetryAt: null } : { state: 'error', code: f.code, message: f.message, next, nextRetryAt: null }
    if (!this.opts.gate.busy) this.refreshCounts()
    this.publish()
    return new SyncRunError({ ...f, next }, cause)
  }

  private nextStep(code: SyncFailureCode): string {
    const queued = 'decisions made meanwhile stay queued on this device'
    switch (code) {
      case 'unauthorized':
      case 'token_unreadable':
        return `sync is paused until this device is enrolled again (ask the operator for a new code); ${queued}`
      case 'protocol_mismatch':
        return `sync is paused until the app or the server is updated; ${queued}`
      case 'device_revoked':
        return 'sync has stopped for good and this profile cannot be opened again; close Tinjau. To review again, start a new profile and ask your lead for an enrollment code'
      case 'forbidden':
        return `ask the operator to check this reviewer and device on the server; sync will try again later, and ${queued}`
      default:
        return this.schedule ? `sync will try again by itself; ${queued}` : `sync again later (nothing was lost); ${queued}`
    }
  }

  /** The schedule picked its next run: offline and error states show it. */
  private updateNextRetry(): void {
    if (this.activity.state === 'offline' || this.activity.state === 'error') {
      this.activity = { ...this.activity, nextRetryAt: this.nextRunAt }
    }
    this.publish()
  }

  private retry<T>(what: string, attempt: () => Promise<T>, signal: AbortSignal | undefined, onFailed?: (err: unknown) => void): Promise<T> {
    return withRetries(
      async () => {
        try {
          return await attempt()
        } catch (err) {
          onFailed?.(err)
          throw err
        }
      },
      {
        policy: this.opts.requestBackoff ?? REQUEST_BACKOFF,
        maxAttempts: this.opts.maxAttempts ?? 5,
        random: this.random,
        signal,
        ...(this.opts.sleep ? { sleep: this.opts.sleep } : {}),
        verdict: retryVerdict,
        // A server asking for a longer pause than a run waits: the run ends, the schedule comes back later.
        maxWaitMs: (this.opts.requestBackoff ?? REQUEST_BACKOFF).capMs,
      },
    )
  }

  private async locked<T>(fn: () => T): Promise<T> {
    const release = await this.opts.gate.acquire()
    try {
      // After a wipe nothing more is recorded: the host is about to close the database.
      if (this.revoked) throw this.revokedError()
      return fn()
    } finally {
      release()
    }
  }

  /**
   * The server said `401 device_revoked`. Wipe the profile (its key file, and the sync token
   * and device key beside it) at once, whatever request heard it; from then on the client
   * sends nothing, writes nothing, and its status says why (code `device_revoked`).
   */
  private deviceRevoked(): void {
    if (this.revoked) return
    this.revoked = wipeProfile(this.opts.store.paths.root)
    this.schedule?.stop()
    this.runAbort?.abort(this.revokedError())
  }

  /** The error (and status) of a revoked device; the status is published once. */
  private revokedError(): SyncRunError {
    const message = revokedMessage(this.revoked!)
    if (this.activity.state !== 'error' || this.activity.code !== 'device_revoked') return this.fail({ code: 'device_revoked', offline: false, message })
    return new SyncRunError({ code: 'device_revoked', offline: false, message, next: this.nextStep('device_revoked') })
  }

  private deviceKey(): Pick<DeviceKey, 'publicKey' | 'sign'> {
    try {
      return this.opts.deviceKey()
    } catch (err) {
      throw this.fail({ code: 'local', offline: false, message: (err as Error).message }, err)
    }
  }

  private refreshCounts(): void {
    if (!this.sqlite.open) return
    this.counts = { pending: this.outbox.pendingCount(), rejected: this.outbox.rejectedCount(), notices: openNoticeCount(this.sqlite) }
  }

  private snapshot(): SyncStatus {
    return {
      ...this.activity,
      server: this.sqlite.open ? this.server() : null,
      lastSuccessAt: this.sqlite.open ? (getSetting(this.sqlite, K.lastSuccess) ?? null) : null,
      lastAttemptAt: this.lastAttemptAt,
      counts: { ...this.counts },
      nextRunAt: this.nextRunAt,
    }
  }

  private publish(): void {
    if (this.closed) return
    this.emitter.publish(this.snapshot())
  }
}

/** A run's error as the reviewer is told it: network trouble is "offline", the rest an error with a code. */
export function classify(err: unknown): { code: SyncFailureCode; offline: boolean; message: string } {
  if (err instanceof SyncRequestError) {
    const message = err.message
    if (err.kind === 'network' || err.kind === 'timeout') return { code: 'server_error', offline: true, message }
    if (err.kind === 'protocol_mismatch') return { code: 'protocol_mismatch', offline: false, message }
    if (err.kind === 'invalid_response') return { code: 'invalid_response', offline: false, message }
    if (err.status === 401 && err.code === 'device_revoked') return { code: 'device_revoked', offline: false, message }
    if (err.status === 401) return { code: 'unauthorized', offline: false, message }
    if (err.status === 403) return { code: 'forbidden', offline: false, message }
    if (err.retryable) return { code: 'server_error', offline: false, message }
    return { code: 'refused', offline: false, message }
  }
  if (err instanceof TokenStoreError) return { code: 'token_unreadable', offline: false, message: err.message }
  return { code: 'local', offline: false, message: `sync failed on this device: ${err instanceof Error ? err.message : String(err)}` }
}

/** Refused for this push only: the server is there and knows the device, it did not take these decisions. */
function isPushOnlyFailure(err: SyncRequestError): boolean {
  if (err.kind === 'invalid_response') return true
  return err.kind === 'http' && !err.retryable && err.status !== 401 && err.status !== 403
}

function linkAbort(from: AbortSignal, to: AbortController): void {
  if (from.aborted) to.abort(from.reason)
  else from.addEventListener('abort', () => to.abort(from.reason), { once: true })
}

function safeHostName(): string {
  try {
    return os.hostname()
  } catch {
    return ''
  }
}
