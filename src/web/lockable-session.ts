import { ProfileSession } from '../core/profile-session'
import type { ProfileKeys } from '../core/profile-crypto/profile-keys'
import type { Tinjau } from '../core/tinjau'
import type { ServedSession } from './launch'

export interface LockableSessionOptions {
  dataDir: string
  /** TINJAU_PASSPHRASE as read at start: unlocks (or makes the key of a new profile) at once; a wrong one stops the host. */
  passphrase: string | undefined
  /** TINJAU_IDLE_LOCK_SECONDS, in ms (idleLockOverrideMs), in place of the profile's setting. */
  idleLockMs: number | null
  /** Opens the profile with its keys, once `openAllowed` says the store may open (launch.ts). */
  open: (keys: ProfileKeys, openAllowed: Promise<void>) => Promise<Tinjau>
}

/**
 * The web host's lockable profile, for both ways of starting it (`node out/main/web.js` and
 * `tinjau serve`): locked until the lock screen (or TINJAU_PASSPHRASE) unlocks it.
 */
export function lockableSession(opts: LockableSessionOptions): (openAllowed: Promise<void>) => ServedSession {
  return (openAllowed) => {
    const session = new ProfileSession({ dataDir: opts.dataDir, idleLockMs: opts.idleLockMs, open: (keys) => opts.open(keys, openAllowed) })
    return { session, starting: opts.passphrase ? session.start({ passphrase: opts.passphrase }, true) : undefined }
  }
}
