import { chmodSync, readFileSync, renameSync, rmSync } from 'node:fs'
import path from 'node:path'
import { writeFileAtomically } from '../atomic-file'
import type { KeyProtector } from '../device-key'

/**
 * The device's sync token: whoever holds it can push decisions as this reviewer, so it is
 * kept out of the SQLite file (which is copied around for backups and support) in its own
 * file in the data directory, mode 0600, sealed by the same KeyProtector as the device key
 * when there is one (Electron: safeStorage, i.e. the OS keychain). Messages name the file,
 * never its content.
 */

export const SYNC_TOKEN_FILE = 'sync-token.json'
const FORMAT = 'tinjau.sync-token'

interface TokenFile {
  format: typeof FORMAT
  version: 1
  /** null: `token` is the token's UTF-8 bytes, base64; otherwise that protector's sealed bytes, base64. */
  protector: string | null
  token: string
}

export class TokenStoreError extends Error {
  constructor(file: string, problem: string) {
    super(`sync token ${file}: ${problem}`)
    this.name = 'TokenStoreError'
  }
}

export class TokenStore {
  readonly file: string
  private cached: string | null | undefined

  constructor(
    dataDir: string,
    private readonly protector: KeyProtector | null = null,
    /** Protectors that may have sealed the file before (see loadOrCreateDeviceKey); it is sealed again with `protector`. */
    private readonly previous: readonly KeyProtector[] = [],
  ) {
    this.file = path.join(dataDir, SYNC_TOKEN_FILE)
  }

  /** The token, or null when none is stored. Throws TokenStoreError for a file it cannot use. */
  read(): string | null {
    if (this.cached !== undefined) return this.cached
    let text: string
    try {
      text = readFileSync(this.file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.cached = null)
      throw new TokenStoreError(this.file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
    const f = parseTokenFile(this.file, text)
    let bytes: Buffer = Buffer.from(f.token, 'base64')
    if (f.protector !== null) {
      const opener = [this.protector, ...this.previous].find((p) => p?.name === f.protector)
      if (!opener) throw new TokenStoreError(this.file, `is sealed by "${f.protector}", which is not available here; enroll this device again`)
      try {
        bytes = opener.decrypt(bytes)
      } catch {
        throw new TokenStoreError(this.file, `"${f.protector}" could not unseal it; enroll this device again`)
      }
    }
    const token = bytes.toString('utf8')
    // A token kept plainly or under an earlier protector is sealed by the current one at once.
    if (this.protector && f.protector !== this.protector.name) this.write(token)
    return (this.cached = token)
  }

  /** Written whole under a temporary name (mode 0600), synced, then moved into place. */
  write(token: string): void {
    const plain = Buffer.from(token, 'utf8')
    const body: TokenFile = {
      format: FORMAT,
      version: 1,
      protector: this.protector?.name ?? null,
      token: (this.protector ? this.protector.encrypt(plain) : plain).toString('base64'),
    }
    writeFileAtomically(this.file, `${JSON.stringify(body)}\n`, (tmp) => {
      // The umask cannot widen 0600, but a file system that ignores modes at create can.
      chmodSync(tmp, 0o600)
      renameSync(tmp, this.file)
    })
    this.cached = token
  }

  clear(): void {
    rmSync(this.file, { force: true })
    this.cached = null
  }
}

function parseTokenFile(file: string, text: string): TokenFile {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new TokenStoreError(file, 'is not valid JSON; enroll this device again')
  }
  const f = raw as Partial<TokenFile> | null
  if (typeof f !== 'object' || f === null || f.format !== FORMAT || f.version !== 1) throw new TokenStoreError(file, `is not a ${FORMAT} version 1 file`)
  if (f.protector !== null && (typeof f.protector !== 'string' || f.protector === '')) throw new TokenStoreError(file, 'protector must be null or a name')
  if (typeof f.token !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(f.token)) throw new TokenStoreError(file, 'token is not base64')
  return f as TokenFile
}
