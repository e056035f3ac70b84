import { rmSync, statSync } from 'node:fs'
import path from 'node:path'
import { DEVICE_KEY_FILE } from '../device-key'
import { SYNC_TOKEN_FILE } from '../sync/token-store'
import { wipeProfileKey } from './profile-key-file'

export interface WipeResult {
  /** The key file was there and is gone: the encrypted data can no longer be read. */
  key: boolean
  /** The credentials removed beside it (file names). */
  credentials: string[]
}

/**
 * Wipe a profile (`tinjau wipe`, a revoked device): its key file, which makes the data
 * unreadable, and the device's credentials, which are not encrypted by that key: the sync
 * token (it would still pull the reviewer's assignments from the service) and the device's
 * signing key (it signs decisions as this device). Writes nothing else: the database may be
 * open, and is closed by its host afterwards.
 */
export function wipeProfile(dataDir: string): WipeResult {
  const key = wipeProfileKey(dataDir)
  const credentials: string[] = []
  for (const name of [SYNC_TOKEN_FILE, DEVICE_KEY_FILE]) {
    const file = path.join(dataDir, name)
    if (!isFile(file)) continue
    rmSync(file, { force: true })
    credentials.push(name)
  }
  return { key, credentials }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile()
  } catch {
    return false
  }
}
