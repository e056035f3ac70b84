import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import type { KeyProtector } from '../device-key'
import type { ProfileKeys } from './profile-keys'

/**
 * Seals the small secrets kept beside an encrypted profile's database — the device's
 * signing key (device-key.json) and its sync token (sync-token.json) — with the profile's
 * own key, so a lost laptop gives away neither: whoever holds the token could pull the
 * reviewer's assignments from the service, whoever holds the device key could sign packs
 * as this device. In Electron the profile key is itself sealed by the OS store, so this
 * protects at least as well as sealing them with safeStorage directly did.
 */

export const PROFILE_SECRETS_PROTECTOR = 'tinjau-profile-key'
const AAD = Buffer.from('tinjau profile secret v1', 'utf8')

export function profileSecretsProtector(keys: ProfileKeys): KeyProtector {
  const key = Buffer.from(hkdfSync('sha256', keys.files, Buffer.alloc(0), 'tinjau profile secrets v1', 32))
  return {
    name: PROFILE_SECRETS_PROTECTOR,
    encrypt(plain) {
      const nonce = randomBytes(12)
      const c = createCipheriv('aes-256-gcm', key, nonce)
      c.setAAD(AAD)
      return Buffer.concat([nonce, c.update(plain), c.final(), c.getAuthTag()])
    },
    decrypt(sealed) {
      if (sealed.length < 12 + 16) throw new Error('sealed secret is too short')
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12))
      d.setAAD(AAD)
      d.setAuthTag(sealed.subarray(sealed.length - 16))
      // Throws on a wrong key or a changed byte: never returns garbage as a secret.
      return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()])
    },
  }
}
