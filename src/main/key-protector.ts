import { safeStorage } from 'electron'
import type { KeyProtector } from '../core/device-key'

export const SAFE_STORAGE_PROTECTOR = 'electron-safeStorage'

/**
 * The device key's private half, sealed by the OS's own secret store through Electron's
 * safeStorage (Keychain on macOS, DPAPI on Windows, libsecret or KWallet on Linux). Null
 * where there is none: on Linux without a keyring safeStorage falls back to a password
 * written into Chromium ("basic_text"), which would protect nothing, so the key is then kept
 * as core keeps it everywhere else (a file only this user can read). Call after `ready`.
 *
 * The synchronous calls are deprecated in favour of async ones, but the profile opens
 * synchronously and reads the key once, at open.
 */
export function safeStorageProtector(platform: NodeJS.Platform = process.platform): KeyProtector | null {
  if (!safeStorage.isEncryptionAvailable()) return null
  if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return null
  return {
    name: SAFE_STORAGE_PROTECTOR,
    encrypt: (plain) => safeStorage.encryptString(plain.toString('base64')),
    decrypt: (sealed) => Buffer.from(safeStorage.decryptString(sealed), 'base64'),
  }
}
