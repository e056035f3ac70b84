import { mkdirSync } from 'node:fs'
import { API_METHODS, GATE_FREE_METHODS, PROFILE_METHODS, type ApiEvent, type ApiMethod, type ProfileMethod } from '../shared/api-methods'
import type { DispatchHandlers, EventPayload, Handlers, ParsedInput } from '../shared/contract'
import { TinjauError } from '../shared/errors'
import type { ENCRYPT_PHASES, ProfileStatus } from '../shared/profile-lock'
import type { KeyProtector } from './device-key'
import type { ProfileKeys } from './profile-crypto/profile-keys'
import type { ScryptParams } from './profile-crypto/profile-key-file'
import type { Tinjau } from './tinjau'

/**
 * A host's profile over time (issue 15): locked, being unlocked, open, locked again. The
 * web host and Electron hold one each and serve the contract through it: the lock's own
 * methods (`profile.*`) always answer; every other call waits while the profile is being
 * unlocked and is refused with `locked` while it is locked.
 *
 * The idle timer lives here, in the host, not in the renderer: a crashed, hidden or
 * throttled page (a background tab's timers are slowed to once a minute, a closed one has
 * none) would otherwise leave the profile open for ever. The renderer only reports that the
 * reviewer is at work (`profile.activity`, a cheap call it throttles).
 *
 * The key-file code (zod, scrypt) is loaded on first use, so a host that imports this at
 * start still listens before it has loaded.
 */

type LockedBy = NonNullable<ProfileStatus['lockedBy']>
type Listener = <E extends ApiEvent>(event: E, payload: EventPayload<E>) => void
type UnlockHow = { passphrase: string } | { osStore: true }

export interface ProfileSessionOptions {
  dataDir: string
  /** Opens the profile with its keys (the host knows its bindings and name). */
  open: (keys: ProfileKeys) => Tinjau | Promise<Tinjau>
  /** The OS key store (Electron's safeStorage), where it is real. */
  protector?: KeyProtector | null
  /** Cost of a new passphrase wrap (tests make it cheap; default: the key file's). */
  scrypt?: ScryptParams
  /** A fixed idle time in ms, in place of the profile's setting (TINJAU_IDLE_LOCK_SECONDS). */
  idleLockMs?: number | null
  now?: () => number
  log?: (message: string, err?: unknown) => void
}

/** Wrong passphrases accepted at full speed; after them each try waits longer (see retryDelayMs). */
export const FREE_ATTEMPTS = 3
const MAX_RETRY_DELAY_MS = 5 * 60_000
/** While an import or a call is running at the idle time, look again this much later. */
const IDLE_BUSY_RECHECK_MS = 30_000

/** 5 s after the 3rd wrong passphrase in a row, doubling each time, at most 5 minutes. */
export function retryDelayMs(failures: number): number {
  if (failures < FREE_ATTEMPTS) return 0
  return Math.min(MAX_RETRY_DELAY_MS, 5_000 * 2 ** (failures - FREE_ATTEMPTS))
}

const keyFile = () => import('./profile-crypto/profile-key-file')
const unlocker = () => import('./profile-crypto/unlock-profile')

type Phase =
  | { kind: 'locked'; by: LockedBy }
  | { kind: 'unlocking'; done: Promise<Tinjau>; encrypting: boolean }
  | { kind: 'unlocked'; tinjau: Tinjau; master: Buffer | null; keys: ProfileKeys | null }
  /** The start-up unlock failed (a wrong TINJAU_PASSPHRASE, a profile that cannot open): the host stops. */
  | { kind: 'failed'; error: Error }
  | { kind: 'closed' }

export class ProfileSession {
  private phase: Phase
  private readonly listeners = new Set<Listener>()
  private unsubscribeProfile: (() => void) | null = null
  private readonly inflight = new Set<Promise<unknown>>()
  private closing: Promise<void> = Promise.resolve()
  private unlocks: Promise<unknown> = Promise.resolve()
  private failures = 0
  private retryAt = 0
  private problem: string | null = null
  private encryptProgress: ProfileStatus['encryptProgress'] = null
  private progressSentAt = 0
  private lastActivity = 0
  private idleTimer: NodeJS.Timeout | null = null
  private idleMinutes: number | null = null
  private readonly now: () => number
  private readonly log: (message: string, err?: unknown) => void
  /** The contract as this session serves it (see the class comment). */
  readonly handlers: DispatchHandlers

  /**
   * A lockable session over `opts.dataDir`, locked until `start` or `profile.unlock`.
   * `ProfileSession.fixed` makes one over a profile opened elsewhere, which cannot lock.
   */
  constructor(private readonly opts: ProfileSessionOptions | null, given?: Tinjau | Promise<Tinjau>) {
    this.now = opts?.now ?? Date.now
    this.log = opts?.log ?? ((m, err) => console.error(`tinjau: ${m}`, err ?? ''))
    if (given === undefined) this.phase = { kind: 'locked', by: 'start' }
    else if (given instanceof Promise) {
      this.phase = { kind: 'unlocking', done: given, encrypting: false }
      given.then(
        (tinjau) => this.opened(tinjau, null, null),
        (err: unknown) => this.fail(err),
      )
    } else this.phase = { kind: 'unlocked', tinjau: given, master: null, keys: null }
    if (this.phase.kind === 'unlocked') this.subscribe(this.phase.tinjau)
    this.handlers = this.makeHandlers()
  }

  /** A profile opened (or being opened) by someone else: always open, never locks (`tinjau serve`, tests). */
  static fixed(tinjau: Tinjau | Promise<Tinjau>): ProfileSession {
    return new ProfileSession(null, tinjau)
  }

  get canLock(): boolean {
    return this.opts !== null
  }

  get state(): Phase['kind'] {
    return this.phase.kind
  }

  /** The open profile; `locked` when there is none. */
  current(): Tinjau {
    if (this.phase.kind === 'unlocked') return this.phase.tinjau
    if (this.phase.kind === 'failed') throw this.phase.error
    throw new TinjauError('locked', 'the profile is locked: unlock it first')
  }

  /**
   * Resolves once no unlock is under way (whatever its outcome); rejects with the start-up
   * failure if there was one (the host then stops).
   */
  async settled(): Promise<void> {
    // An unlock asked for but not begun yet (it waits its turn) counts as under way.
    await this.unlocks
    await this.phaseSettled()
  }

  private async phaseSettled(): Promise<void> {
    while (this.phase.kind === 'unlocking') await this.phase.done.catch(() => undefined)
    if (this.phase.kind === 'failed') throw this.phase.error
  }

  /** The open profile, waiting for an unlock under way; `locked` if it ends locked. */
  async ready(): Promise<Tinjau> {
    await this.settled()
    return this.current()
  }

  onEvent(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  async status(): Promise<ProfileStatus> {
    const base = {
      canLock: this.canLock,
      failures: this.failures,
      retryInMs: Math.max(0, this.retryAt - this.now()),
      lockedBy: this.phase.kind === 'locked' ? this.phase.by : null,
      idleLockMs: this.idleLockMs(),
      idleLockFixed: this.opts?.idleLockMs != null,
      encrypting: this.phase.kind === 'unlocking' && this.phase.encrypting,
      encryptProgress: this.phase.kind === 'unlocking' ? this.encryptProgress : null,
      problem: this.problem,
    }
    const { MIN_PASSPHRASE_LENGTH, readProfileKeyInfo } = await keyFile()
    const dataDir = this.opts?.dataDir ?? (this.phase.kind === 'unlocked' ? this.phase.tinjau.store.paths.root : null)
    let info: Awaited<ReturnType<typeof readProfileKeyInfo>> = null
    try {
      info = dataDir ? readProfileKeyInfo(dataDir) : null
    } catch {
      info = null // a damaged key file: the unlock says what is wrong with it
    }
    const protector = this.opts?.protector ?? null
    let state: ProfileStatus['state']
    if (this.phase.kind === 'unlocked' || this.phase.kind === 'unlocking') state = this.phase.kind
    else state = info ? 'locked' : dataDir ? (await unlocker()).profileAccess(dataDir).state : 'locked'
    return {
      ...base,
      state,
      hasPassphrase: info?.hasPassphrase ?? false,
      osStore: protector !== null && (info === null || info.protectors.includes(protector.name)),
      minPassphraseLength: MIN_PASSPHRASE_LENGTH,
    }
  }

  /**
   * The host's start: unlock at once (TINJAU_PASSPHRASE, or the OS store). With `fatal`, a
   * failure is the host's end (`settled` rejects with it); otherwise the profile stays
   * locked and the lock screen says why.
   */
  async start(how: UnlockHow, fatal: boolean): Promise<void> {
    try {
      await this.unlock(how)
    } catch (err) {
      if (fatal) this.fail(err)
      else if (!(err instanceof TinjauError && err.code === 'invalid_input')) this.log('the profile could not be unlocked at start', err)
      if (fatal) throw err
    }
  }

  /** Unlock (or, for a new or clear profile, make its key and encrypt it), then open. One at a time. */
  unlock(how: UnlockHow): Promise<ProfileStatus> {
    const next = this.unlocks.then(() => this.unlockNow(how))
    this.unlocks = next.catch(() => undefined)
    return next
  }

  private async unlockNow(how: UnlockHow): Promise<ProfileStatus> {
    const opts = this.requireLockable('profile.unlock')
    await this.phaseSettled()
    if (this.phase.kind === 'unlocked') return this.status()
    if (this.phase.kind !== 'locked') throw new TinjauError('conflict', 'the profile is closing')
    const wait = this.retryAt - this.now()
    if (wait > 0) throw this.tooMany(wait)
    const protector = 'osStore' in how ? opts.protector : null
    if ('osStore' in how && !protector) {
      throw new TinjauError('invalid_input', 'this host has no OS key store to unlock with: give the passphrase', [{ path: 'osStore', message: 'no OS key store here' }])
    }
    // A lock still closing the profile finishes first: the store is never open twice.
    await this.closing
    const { profileAccess, unlockProfile } = await unlocker()
    const { checkPassphrase, ProfileKeyError, readProfileKeyInfo, setProtector } = await keyFile()
    const access = profileAccess(opts.dataDir)
    if ('passphrase' in how && (access.state === 'new' || access.state === 'clear')) {
      const weak = checkPassphrase(how.passphrase)
      if (weak) throw new TinjauError('invalid_input', weak, [{ path: 'passphrase', message: weak }])
    }
    const lockedBy = this.phase.by
    let unlocked: { master: Buffer; keys: ProfileKeys } | null = null
    const done = (async () => {
      // A new profile's folder may not exist yet: its key file is the first thing in it.
      if (access.state === 'new') mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 })
      const onProgress = (p: { phase: (typeof ENCRYPT_PHASES)[number]; done: number; total: number }) => {
        this.encryptProgress = { phase: p.phase, done: p.done, total: p.total }
        // A status event at most 4 times a second: the lock screen's progress bar, not a flood.
        if (this.now() - this.progressSentAt < 250) return
        this.progressSentAt = this.now()
        void this.emitStatus()
      }
      unlocked = await unlockProfile(opts.dataDir, protector ? { protector } : { passphrase: (how as { passphrase: string }).passphrase }, {
        ...(opts.scrypt ? { scrypt: opts.scrypt } : {}),
        onProgress,
      })
      // Opened by its passphrase where the OS store is real: seal the key there too, so the
      // app opens without a prompt from now on (as an app-made profile does).
      if (!protector && opts.protector && !readProfileKeyInfo(opts.dataDir)?.protectors.includes(opts.protector.name)) {
        try {
          setProtector(opts.dataDir, unlocked.master, opts.protector)
        } catch (err) {
          this.log('could not seal the profile key with the OS key store', err)
        }
      }
      return opts.open(unlocked.keys)
    })()
    this.encryptProgress = null
    this.phase = { kind: 'unlocking', done, encrypting: access.state === 'clear' }
    void this.emitStatus()
    try {
      const tinjau = await done
      this.failures = 0
      this.retryAt = 0
      this.problem = null
      const u = unlocked as { master: Buffer; keys: ProfileKeys } | null
      this.opened(tinjau, u?.master ?? null, u?.keys ?? null)
      return await this.status()
    } catch (err) {
      const u = unlocked as { master: Buffer; keys: ProfileKeys } | null
      if (u) wipe(u.master, u.keys)
      if (this.phase.kind === 'unlocking') this.phase = { kind: 'locked', by: lockedBy }
      const error = this.unlockError(err, ProfileKeyError)
      if (protector) this.problem = error.message
      void this.emitStatus()
      throw error
    }
  }

  /**
   * Lock: refuse calls from now, stop imports (they roll back), let running calls end, close
   * the profile and overwrite its keys in memory. Resolves once it is closed.
   */
  async lock(by: LockedBy = 'reviewer'): Promise<ProfileStatus> {
    this.requireLockable('profile.lock')
    await this.settled().catch(() => undefined)
    if (this.phase.kind !== 'unlocked') return this.status()
    const { tinjau, master, keys } = this.phase
    this.phase = { kind: 'locked', by }
    this.stopIdleTimer()
    void this.emitStatus()
    this.closing = this.closeProfile(tinjau, master, keys)
    await this.closing
    return this.status()
  }

  /** The reviewer is at work: the idle time starts again. */
  activity(): void {
    this.lastActivity = this.now()
  }

  /** Set or change the passphrase wrap; with one in force, `current` must be it. */
  async setPassphrase(input: ParsedInput<'profile.setPassphrase'>): Promise<ProfileStatus> {
    const opts = this.requireLockable('profile.setPassphrase')
    if (this.phase.kind !== 'unlocked' || !this.phase.master) throw new TinjauError('locked', 'the profile is locked: unlock it first')
    const master = this.phase.master
    const kf = await keyFile()
    const weak = kf.checkPassphrase(input.passphrase)
    if (weak) throw new TinjauError('invalid_input', weak, [{ path: 'passphrase', message: weak }])
    if (kf.readProfileKeyInfo(opts.dataDir)?.hasPassphrase) {
      if (input.current === undefined) {
        throw new TinjauError('invalid_input', 'this profile has a passphrase: give it as "current" to change it', [{ path: 'current', message: 'required' }])
      }
      const wait = this.retryAt - this.now()
      if (wait > 0) throw this.tooMany(wait)
      try {
        const check = await kf.unlockProfileKey(opts.dataDir, { passphrase: input.current })
        wipe(check.master, check.keys)
      } catch (err) {
        throw this.unlockError(err, kf.ProfileKeyError)
      }
    }
    await kf.setPassphrase(opts.dataDir, master, input.passphrase, opts.scrypt)
    this.failures = 0
    void this.emitStatus()
    return this.status()
  }

  /** Close for good (the host stops): as `lock`, without telling anyone. */
  async close(): Promise<void> {
    await this.settled().catch(() => undefined)
    const phase = this.phase
    this.phase = { kind: 'closed' }
    this.stopIdleTimer()
    if (phase.kind === 'unlocked') await this.closeProfile(phase.tinjau, phase.master, phase.keys)
    else await this.closing
  }

  /** Close at once, in a synchronous shutdown (Electron's will-quit): running calls are not waited for. */
  closeNow(): void {
    const phase = this.phase
    this.phase = { kind: 'closed' }
    this.stopIdleTimer()
    this.unsubscribeProfile?.()
    if (phase.kind === 'unlocked') {
      phase.tinjau.close()
      if (phase.master && phase.keys) wipe(phase.master, phase.keys)
    }
  }

  private requireLockable(method: ProfileMethod): ProfileSessionOptions {
    if (!this.opts) throw new TinjauError('conflict', `${method}: this host was handed its profile open (tinjau serve) and cannot lock or unlock it`)
    return this.opts
  }

  private tooMany(waitMs: number): TinjauError {
    const s = Math.ceil(waitMs / 1000)
    return new TinjauError('too_many_attempts', `too many wrong passphrases: try again in ${s} s`, [{ path: 'retryInMs', message: String(waitMs) }])
  }

  private unlockError(err: unknown, KeyError: typeof import('./profile-crypto/profile-key-file').ProfileKeyError): TinjauError | Error {
    if (err instanceof TinjauError) return err
    if (!(err instanceof KeyError)) return err instanceof Error ? err : new Error(String(err))
    switch (err.code) {
      case 'wrong_passphrase': {
        this.failures++
        this.retryAt = this.now() + retryDelayMs(this.failures)
        const wait = this.retryAt - this.now()
        const more = wait > 0 ? `; wait ${Math.ceil(wait / 1000)} s before the next try` : ''
        return new TinjauError('wrong_passphrase', `the passphrase is not right${more}`, [{ path: 'passphrase', message: 'not right' }, { path: 'retryInMs', message: String(wait) }])
      }
      case 'weak_passphrase':
        return new TinjauError('invalid_input', err.message, [{ path: 'passphrase', message: err.message }])
      case 'no_wrap':
        return new TinjauError('invalid_input', err.message, [{ path: 'passphrase', message: 'this profile has no passphrase' }])
      case 'missing':
        return new TinjauError('not_found', err.message)
      case 'exists':
        return new TinjauError('conflict', err.message)
      default:
        return new TinjauError('internal', err.message)
    }
  }

  private opened(tinjau: Tinjau, master: Buffer | null, keys: ProfileKeys | null): void {
    if (this.phase.kind === 'closed') {
      tinjau.close()
      if (master && keys) wipe(master, keys)
      return
    }
    this.phase = { kind: 'unlocked', tinjau, master, keys }
    this.subscribe(tinjau)
    this.idleMinutes = null
    this.lastActivity = this.now()
    if (this.canLock) this.armIdleTimer()
    void this.emitStatus()
  }

  private fail(err: unknown): void {
    if (this.phase.kind === 'closed') return
    this.phase = { kind: 'failed', error: err instanceof Error ? err : new Error(String(err)) }
  }

  private subscribe(tinjau: Tinjau): void {
    this.unsubscribeProfile?.()
    this.unsubscribeProfile = tinjau.onEvent((event, payload) => {
      for (const l of this.listeners) l(event, payload)
    })
  }

  private async emitStatus(): Promise<void> {
    try {
      const status = await this.status()
      for (const l of this.listeners) l('profile.status', status)
    } catch (err) {
      this.log('could not read the profile status', err)
    }
  }

  private async closeProfile(tinjau: Tinjau, master: Buffer | null, keys: ProfileKeys | null): Promise<void> {
    // Imports roll back (they can be run again); decisions are single writes and are never cut.
    tinjau.imports.cancelAll()
    await Promise.allSettled([...this.inflight])
    await tinjau.gate.idle()
    this.unsubscribeProfile?.()
    this.unsubscribeProfile = null
    try {
      tinjau.close()
    } finally {
      if (master && keys) wipe(master, keys)
    }
  }

  private idleLockMs(): number | null {
    const fixed = this.opts?.idleLockMs
    if (fixed != null) return fixed > 0 ? fixed : null
    if (!this.canLock || this.phase.kind !== 'unlocked') return null
    this.idleMinutes ??= this.readIdleMinutes(this.phase.tinjau)
    return this.idleMinutes > 0 ? this.idleMinutes * 60_000 : null
  }

  private readIdleMinutes(tinjau: Tinjau): number {
    try {
      return tinjau.handlers['settings.get']({}).idleLock.minutes
    } catch {
      return 0
    }
  }

  private armIdleTimer(delay?: number): void {
    this.stopIdleTimer()
    const idle = this.idleLockMs()
    if (idle === null) return
    this.idleTimer = setTimeout(() => this.idleCheck(), delay ?? Math.max(0, this.lastActivity + idle - this.now()))
    this.idleTimer.unref()
  }

  private stopIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer)
    this.idleTimer = null
  }

  private idleCheck(): void {
    this.idleTimer = null
    if (this.phase.kind !== 'unlocked') return
    const idle = this.idleLockMs()
    if (idle === null) return
    const left = this.lastActivity + idle - this.now()
    if (left > 0) return this.armIdleTimer(left)
    // An import being written, or a call running, is work under way: look again later.
    const t = this.phase.tinjau
    if (t.gate.busy || t.imports.active > 0 || this.inflight.size > 0) return this.armIdleTimer(Math.min(idle, IDLE_BUSY_RECHECK_MS))
    void this.lock('idle').catch((err: unknown) => this.log('the idle lock failed', err))
  }

  private makeHandlers(): DispatchHandlers {
    const own: Pick<Handlers, ProfileMethod> = {
      'profile.status': () => this.status(),
      'profile.unlock': (how) => this.unlock(how.osStore ? { osStore: true } : { passphrase: how.passphrase! }),
      'profile.lock': () => this.lock('reviewer'),
      'profile.activity': () => {
        this.activity()
        return {}
      },
      'profile.setPassphrase': (input) => this.setPassphrase(input),
    }
    const handlers = { ...own } as unknown as Record<string, (input: unknown) => unknown>
    for (const method of API_METHODS) {
      if ((PROFILE_METHODS as readonly ApiMethod[]).includes(method)) continue
      handlers[method] = (input) => this.call(method, input)
    }
    return handlers as unknown as DispatchHandlers
  }

  /** A contract call on the open profile: waits for an unlock under way, and for an import holding the store. */
  private async call(method: ApiMethod, input: unknown): Promise<unknown> {
    const tinjau = await this.ready()
    if (!GATE_FREE_METHODS.includes(method)) while (tinjau.gate.busy) await tinjau.gate.idle()
    // Locked while waiting: refuse rather than touch a store being closed.
    if (this.phase.kind !== 'unlocked' || this.phase.tinjau !== tinjau) throw new TinjauError('locked', 'the profile is locked: unlock it first')
    const run = (async () => (tinjau.handlers as unknown as Record<string, (input: unknown) => unknown>)[method]!(input))()
    this.inflight.add(run)
    try {
      const value = await run
      if (method === 'settings.setIdleLock') {
        this.idleMinutes = null
        this.armIdleTimer()
        void this.emitStatus()
      }
      return value
    } finally {
      this.inflight.delete(run)
    }
  }
}

/** Overwrite key material in memory (the JS strings SQLite's key pragma was built from cannot be). */
function wipe(master: Buffer, keys: ProfileKeys): void {
  master.fill(0)
  keys.db.fill(0)
  keys.files.fill(0)
}
