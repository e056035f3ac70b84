import { existsSync, mkdirSync } from 'node:fs'
import Database from 'better-sqlite3'
import { dataPaths } from '../paths'
import { createProfileKey, hasProfileKey, unlockProfileKeySync, type ScryptParams, type UnlockedProfile } from '../profile-crypto/profile-key-file'
import { applyDbKey, type ProfileKeys } from '../profile-crypto/profile-keys'

/**
 * Encrypted test profiles: one passphrase for every test, and a cheap (but real, and
 * recorded in the key file) scrypt cost, so the hosts that read the file pay little. The
 * product never weakens its KDF: the cost comes from the file a test made, not from an
 * environment switch.
 */

export const TEST_PASSPHRASE = 'correct horse battery staple'
export const TEST_SCRYPT: ScryptParams = { N: 2 ** 10, r: 8, p: 1 }

/**
 * Give `dataDir` a key file (the test passphrase, cheap scrypt) unless it has one. A folder
 * with a database but no key file (a clear profile, or a wiped one) is left alone: a key
 * beside it would not open it.
 */
export async function ensureTestProfileKey(dataDir: string): Promise<UnlockedProfile | null> {
  if (hasProfileKey(dataDir) || existsSync(dataPaths(dataDir).database)) return null
  mkdirSync(dataDir, { recursive: true })
  return createProfileKey(dataDir, { passphrase: TEST_PASSPHRASE, scrypt: TEST_SCRYPT })
}

/** The keys of a test profile's key file, unlocked with the test passphrase; null when it has none (a clear profile). */
export function testProfileKeys(dataDir: string): ProfileKeys | null {
  return hasProfileKey(dataDir) ? unlockProfileKeySync(dataDir, TEST_PASSPHRASE).keys : null
}

/**
 * A read-only connection of its own to a test profile's database, keyed with the test
 * passphrase's keys when it is encrypted: for a test (or a spec) to check what the store kept
 * while the host, the CLI or nothing at all has the profile open. The caller closes it.
 */
export function openTestProfileReadonly(dataDir: string): Database.Database {
  const db = new Database(dataPaths(dataDir).database, { readonly: true, fileMustExist: true })
  try {
    const keys = testProfileKeys(dataDir)
    if (keys) applyDbKey(db, keys)
    return db
  } catch (err) {
    db.close()
    throw err
  }
}
