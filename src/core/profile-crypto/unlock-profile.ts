import { closeSync, existsSync, openSync, readSync } from 'node:fs'
import { dataPaths } from '../paths'
import { encryptProfileInPlace, needsEncryptionInPlace, type EncryptInPlaceOptions, type EncryptInPlaceResult } from './encrypt-in-place'
import { SQLITE_CLEAR_HEADER } from './profile-keys'
import { createProfileKey, hasProfileKey, profileKeyPath, ProfileKeyError, readProfileKeyInfo, unlockProfileKey, type ProfileKeyInfo, type ScryptParams, type Unlock, type UnlockedProfile } from './profile-key-file'

/**
 * What a host must do before it can open a profile (issue 15):
 * - `new`: nothing there yet; the reviewer chooses a passphrase (or the OS store seals a new key);
 * - `clear`: a profile from before encryption; as `new`, then it is encrypted in place;
 * - `locked`: a key file exists; unlock it with what it offers;
 * - `wiped`: an encrypted database without its key file (`tinjau wipe`, a revoked device, or
 *   a key file lost): nothing can open it; the host says so and never makes a new key for it.
 */
export type ProfileAccess = { state: 'new' } | { state: 'clear' } | { state: 'locked'; info: ProfileKeyInfo } | { state: 'wiped' }

export function profileAccess(dataDir: string): ProfileAccess {
  if (hasProfileKey(dataDir)) return { state: 'locked', info: readProfileKeyInfo(dataDir)! }
  const database = dataPaths(dataDir).database
  if (!existsSync(database)) return { state: 'new' }
  return databaseLooksEncrypted(database) ? { state: 'wiped' } : { state: 'clear' }
}

/** A database file of at least a header that does not begin with SQLite's clear header. */
function databaseLooksEncrypted(file: string): boolean {
  const head = Buffer.alloc(SQLITE_CLEAR_HEADER.length)
  const fd = openSync(file, 'r')
  try {
    const n = readSync(fd, head, 0, head.length, 0)
    // An empty (or cut) file is what SQLite makes before its first write: not encrypted.
    return n === head.length && !head.equals(SQLITE_CLEAR_HEADER)
  } finally {
    closeSync(fd)
  }
}

export interface UnlockProfileOptions extends EncryptInPlaceOptions {
  /** Cost of a new passphrase wrap (tests make it cheap; the default is DEFAULT_SCRYPT). */
  scrypt?: ScryptParams
}

export interface UnlockedProfileResult extends UnlockedProfile {
  /** What encrypting the profile in place did, when it was clear (or an earlier encryption was interrupted). */
  encryptedInPlace?: EncryptInPlaceResult
}

/**
 * The profile's keys, from `how`: unlocking the key file, or making one when the profile
 * has none (`new`, `clear`). A profile whose data is still clear (one from before
 * encryption, or one whose encryption was interrupted) is encrypted in place before this
 * returns (encrypt-in-place.ts; `onProgress` reports it). Hosts call this, then
 * openTinjau({ keys }).
 */
export async function unlockProfile(dataDir: string, how: Unlock, opts: UnlockProfileOptions = {}): Promise<UnlockedProfileResult> {
  const access = profileAccess(dataDir)
  if (access.state === 'wiped') {
    throw new ProfileKeyError(profileKeyPath(dataDir), 'is missing and the database is encrypted: this profile was wiped (or its key file was lost); its data cannot be read', 'missing')
  }
  const unlocked =
    access.state === 'locked'
      ? await unlockProfileKey(dataDir, how)
      : await createProfileKey(dataDir, 'passphrase' in how ? { passphrase: how.passphrase, ...(opts.scrypt ? { scrypt: opts.scrypt } : {}) } : { protector: how.protector })
  if (!needsEncryptionInPlace(dataDir)) return unlocked
  const { onProgress, onStep } = opts
  const encryptedInPlace = await encryptProfileInPlace(dataDir, unlocked.keys, { ...(onProgress ? { onProgress } : {}), ...(onStep ? { onStep } : {}) })
  return { ...unlocked, encryptedInPlace }
}
