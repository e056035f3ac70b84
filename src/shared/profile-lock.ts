import { z } from 'zod'

/**
 * The lock of an encrypted profile (issue 15), as the contract carries it: what a host
 * tells the renderer about the profile's key, and the idle-lock setting. The key itself
 * never crosses the contract.
 */

/** Idle-lock choices the settings offer (minutes; 0 = never). */
export const IDLE_LOCK_CHOICES = [0, 1, 5, 15, 30, 60] as const
export const DEFAULT_IDLE_LOCK_MINUTES = 15
export const IDLE_LOCK_MAX_MINUTES = 480

export const IdleLockSettings = z
  .object({ minutes: z.number().int().min(0, 'at least 0 (0 = never lock)').max(IDLE_LOCK_MAX_MINUTES, `at most ${IDLE_LOCK_MAX_MINUTES}`) })
  .strict()
export type IdleLockSettings = z.infer<typeof IdleLockSettings>

/**
 * - `new`: no profile yet: the reviewer chooses a passphrase (or the OS store seals a new key);
 * - `clear`: a profile from before encryption: as `new`, then it is encrypted in place;
 * - `locked`: encrypted and not open; `unlocking`: being unlocked (or encrypted) now;
 * - `wiped`: encrypted, and its key file is gone (wiped, revoked, lost): nothing can open it;
 * - `unlocked`: open.
 */
/** The phases of encrypting a clear profile in place (core/profile-crypto/encrypt-in-place.ts). */
export const ENCRYPT_PHASES = ['preparing', 'database', 'verifying', 'files', 'replacing', 'done'] as const

export const PROFILE_STATES = ['new', 'clear', 'locked', 'wiped', 'unlocking', 'unlocked'] as const
export type ProfileState = (typeof PROFILE_STATES)[number]

export const ProfileStatus = z.object({
  state: z.enum(PROFILE_STATES),
  /** The key file has a passphrase wrap (the CLI can open the profile). */
  hasPassphrase: z.boolean(),
  /** This host can unlock with the OS key store (Electron, where the key is sealed by it). */
  osStore: z.boolean(),
  /** This host can lock (false for a host handed an open profile, e.g. `tinjau serve`). */
  canLock: z.boolean(),
  /** Shortest passphrase accepted (core's rule, told so the form checks the same). */
  minPassphraseLength: z.number().int(),
  /** Wrong passphrases in a row, and how long until the next try is accepted. */
  failures: z.number().int().min(0),
  retryInMs: z.number().int().min(0),
  /** Why it is locked: at start, by the reviewer, after the idle time, or by the OS (screen locked). */
  lockedBy: z.enum(['start', 'reviewer', 'idle', 'os']).nullable(),
  /** The idle time after which the host locks, in ms; null = never. */
  idleLockMs: z.number().int().nullable(),
  /** Set when the idle time is fixed by the host (TINJAU_IDLE_LOCK_SECONDS), not the profile's setting. */
  idleLockFixed: z.boolean(),
  /** While unlocking: an old clear profile is being encrypted in place (seconds to a minute). */
  encrypting: z.boolean(),
  /** While an old clear profile is encrypted in place: its phase and how far it is within it. */
  encryptProgress: z
    .object({ phase: z.enum(ENCRYPT_PHASES), done: z.number().min(0), total: z.number().min(0) })
    .nullable(),
  /** Why the last unlock by the OS store failed, as the host said it (shown on the lock screen). */
  problem: z.string().nullable(),
})
export type ProfileStatus = z.infer<typeof ProfileStatus>

const Passphrase = z.string().min(1, 'is empty').max(1024, 'is longer than 1024 characters')

/** A passphrase (it also makes the key of a new or clear profile), or the OS key store. */
export const UnlockInput = z
  .object({ passphrase: Passphrase.optional(), osStore: z.literal(true).optional() })
  .strict()
  .refine((v) => (v.passphrase === undefined) !== (v.osStore === undefined), { message: 'give either "passphrase" or "osStore": true' })

export const SetPassphraseInput = z
  .object({
    passphrase: Passphrase,
    /** The passphrase now in force, when there is one: someone at an unlocked machine cannot change it alone. */
    current: Passphrase.optional(),
  })
  .strict()
