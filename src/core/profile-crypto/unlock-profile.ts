import { existsSync } from 'node:fs'
import { dataPaths } from '../paths'
import { encryptProfileInPlace, needsEncryptionInPlace, type EncryptInPlaceOptions, type EncryptInPlaceResult } from './encrypt-in-place'
import { createProfileKey, hasProfileKey, readProfileKeyInfo, unlockProfileKey, type ProfileKeyInfo, type ScryptParams, type Unlock, type UnlockedProfile } from './profile-key-file'

/**
 * What a host must do before it can open a profile (issue 15):
 * - `new`: nothing there yet; the reviewer chooses a passphrase (or the OS store seals a new key);
 * - `clear`: a profile from before encryption; as `new`, then it is encrypted in place;
 * - `locked`: a key file exists; unlock it with what it offers.
 */
export type ProfileAccess = { state: 'new' } | { state: 'clear' } | { state: 'locked'; info: ProfileKeyInfo }

export function profileAccess(dataDir: string): ProfileAccess {
  if (hasProfileKey(dataDir)) return { state: 'locked', info: readProfileKeyInfo(dataDir)! }
  return existsSync(dataPaths(dataDir).database) ? { state: 'clear' } : { state: 'new' }
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
  const unlocked =
    access.state === 'locked'
      ? await unlockProfileKey(dataDir, how)
      : await createProfileKey(dataDir, 'passphrase' in how ? { passphrase: how.passphrase, ...(opts.scrypt ? { scrypt: opts.scrypt } : {}) } : { protector: how.protector })
  if (!needsEncryptionInPlace(dataDir)) return unlocked
  const { onProgress, onStep } = opts
  const encryptedInPlace = await encryptProfileInPlace(dataDir, unlocked.keys, { ...(onProgress ? { onProgress } : {}), ...(onStep ? { onStep } : {}) })
  return { ...unlocked, encryptedInPlace }
}
