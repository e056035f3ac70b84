import { existsSync } from 'node:fs'
import { dataPaths } from '../paths'
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

export interface UnlockProfileOptions {
  /** Cost of a new passphrase wrap (tests make it cheap; the default is DEFAULT_SCRYPT). */
  scrypt?: ScryptParams
}

/**
 * The profile's keys, from `how`: unlocking the key file, or making one when the profile
 * has none (`new`, `clear`). Hosts call this, then openTinjau({ keys }).
 */
export async function unlockProfile(dataDir: string, how: Unlock, opts: UnlockProfileOptions = {}): Promise<UnlockedProfile> {
  const access = profileAccess(dataDir)
  if (access.state === 'locked') return unlockProfileKey(dataDir, how)
  return createProfileKey(dataDir, 'passphrase' in how ? { passphrase: how.passphrase, ...(opts.scrypt ? { scrypt: opts.scrypt } : {}) } : { protector: how.protector })
}
