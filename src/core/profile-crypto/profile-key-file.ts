import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCb, scryptSync, type ScryptOptions } from 'node:crypto'
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { writeFileAtomically } from '../atomic-file'
import type { KeyProtector } from '../device-key'
import { DB_HMAC_ALGORITHMS, deriveProfileKeys, LEGACY_DB_CIPHER, MASTER_KEY_BYTES, NEW_DB_CIPHER, newMasterKey, type DbCipher, type ProfileKeys } from './profile-keys'
import { syncDir } from './sync-dir'

/**
 * `profile-key.json`: the profile's master key, never stored in the clear. It is held in
 * one or more *wraps*, each able to give the key back on its own:
 *
 * - `passphrase`: AES-256-GCM under a key made from the reviewer's passphrase by scrypt
 *   (the parameters are in the wrap, so they can be raised later without a new format);
 * - `protector`: sealed by the OS's secret store (Electron's safeStorage: Keychain, DPAPI,
 *   libsecret), so the app opens without a prompt where the OS store is real.
 *
 * It also records how the database is encrypted (`database`: the SQLCipher parameters, see
 * DbCipher), which nothing in the encrypted file says. A file without it was written before
 * the parameters were recorded, and its database has SQLCipher 4's defaults (LEGACY_DB_CIPHER).
 *
 * Without this file an encrypted profile is unreadable: removing it (wipeProfileKey) is how
 * a lost or revoked device is wiped. It is written whole under a temporary name and renamed
 * into place, so a crash leaves the old file or the new one.
 */

export const PROFILE_KEY_FILE = 'profile-key.json'
const FORMAT = 'tinjau.profile-key'
/** Bound into every wrap's GCM tag, so a wrap cannot be moved to another format or kind. */
const WRAP_AAD = (kind: string) => Buffer.from(`${FORMAT} v1 ${kind}`, 'utf8')

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number
  r: number
  p: number
}

/**
 * 2^17 × 8 × 128 bytes = 128 MiB and about half a second on a laptop: OWASP's scrypt
 * recommendation is N = 2^17, r = 8, p = 1. Paid once per unlock.
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 }
/** Below this a passphrase wrap is refused (even tests keep a real, if cheap, cost). */
const MIN_LOG2_N = 10
const MAX_LOG2_N = 22
export const MIN_PASSPHRASE_LENGTH = 8

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'is not base64')
const PassphraseWrap = z.object({
  kind: z.literal('passphrase'),
  kdf: z.object({
    name: z.literal('scrypt'),
    N: z.number().int().refine((n) => Number.isInteger(Math.log2(n)) && Math.log2(n) >= MIN_LOG2_N && Math.log2(n) <= MAX_LOG2_N, `must be a power of two from 2^${MIN_LOG2_N} to 2^${MAX_LOG2_N}`),
    r: z.number().int().min(1).max(32),
    p: z.number().int().min(1).max(16),
    salt: b64,
  }),
  nonce: b64,
  sealed: b64,
})
const ProtectorWrap = z.object({ kind: z.literal('protector'), protector: z.string().min(1), sealed: b64 })
const Wrap = z.discriminatedUnion('kind', [PassphraseWrap, ProtectorWrap])
/**
 * Strict: a parameter this version does not know (a later one's) would be dropped by a lenient
 * parse, and the database opened with the wrong cipher would look like a wrong key.
 */
const DatabaseCipher = z
  .object({
    cipher: z.literal('sqlcipher'),
    cipher_compatibility: z.literal(4),
    cipher_hmac_algorithm: z.enum(DB_HMAC_ALGORITHMS),
    cipher_page_size: z
      .number()
      .int()
      .refine((n) => Number.isInteger(Math.log2(n)) && n >= 512 && n <= 65536, 'must be a power of two from 512 to 65536'),
  })
  .strict()
const KeyFile = z.object({
  format: z.literal(FORMAT),
  version: z.literal(1),
  created_at: z.string(),
  /** How tinjau.sqlite is encrypted; absent in files written before it was recorded (LEGACY_DB_CIPHER). */
  database: DatabaseCipher.optional(),
  wraps: z.array(Wrap).min(1),
})
type KeyFile = z.infer<typeof KeyFile>
type Wrap = z.infer<typeof Wrap>

export class ProfileKeyError extends Error {
  constructor(
    readonly file: string,
    problem: string,
    readonly code: 'missing' | 'damaged' | 'wrong_passphrase' | 'no_wrap' | 'exists' | 'weak_passphrase' | 'protector_failed',
  ) {
    super(`profile key ${file}: ${problem}`)
    this.name = 'ProfileKeyError'
  }
}

/** How to get the master key back: a passphrase, or the OS's secret store. */
export type Unlock = { passphrase: string } | { protector: KeyProtector }

export interface UnlockedProfile {
  master: Buffer
  keys: ProfileKeys
}

export interface ProfileKeyInfo {
  createdAt: string
  hasPassphrase: boolean
  /** Names of the OS stores that hold a wrap. */
  protectors: string[]
  /** How the database is encrypted (what the file records, or LEGACY_DB_CIPHER when it records nothing). */
  database: DbCipher
}

export function profileKeyPath(dataDir: string): string {
  return path.join(dataDir, PROFILE_KEY_FILE)
}

export function hasProfileKey(dataDir: string): boolean {
  try {
    return statSync(profileKeyPath(dataDir)).isFile()
  } catch {
    return false
  }
}

/** What the key file offers, without unlocking; null when there is none. */
export function readProfileKeyInfo(dataDir: string): ProfileKeyInfo | null {
  const f = readKeyFile(profileKeyPath(dataDir))
  if (!f) return null
  return {
    createdAt: f.created_at,
    hasPassphrase: f.wraps.some((w) => w.kind === 'passphrase'),
    protectors: f.wraps.flatMap((w) => (w.kind === 'protector' ? [w.protector] : [])),
    database: dbCipherOf(f),
  }
}

export function checkPassphrase(passphrase: string): string | null {
  if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) return `a passphrase has at least ${MIN_PASSPHRASE_LENGTH} characters`
  return null
}

/**
 * Make a profile's master key and its key file. At least one of a passphrase and a protector;
 * refuses to replace a key file that exists (that would orphan the data it encrypts). The
 * file records NEW_DB_CIPHER: the profile's database is made (or a clear one encrypted in
 * place) with it.
 */
export async function createProfileKey(
  dataDir: string,
  how: { passphrase?: string; protector?: KeyProtector | null; scrypt?: ScryptParams },
  now: () => Date = () => new Date(),
): Promise<UnlockedProfile> {
  const file = profileKeyPath(dataDir)
  if (hasProfileKey(dataDir)) throw new ProfileKeyError(file, 'already exists; refusing to replace the key of an existing profile', 'exists')
  if (how.passphrase === undefined && !how.protector) throw new Error('createProfileKey needs a passphrase or a protector')
  const master = newMasterKey()
  const wraps: Wrap[] = []
  if (how.protector) wraps.push(protectorWrap(master, how.protector, file))
  if (how.passphrase !== undefined) wraps.push(await passphraseWrap(master, how.passphrase, how.scrypt ?? DEFAULT_SCRYPT, file))
  writeKeyFile(file, { format: FORMAT, version: 1, created_at: now().toISOString(), database: { ...NEW_DB_CIPHER }, wraps }, 'create')
  return { master, keys: deriveProfileKeys(master, NEW_DB_CIPHER) }
}

/** The master key, from the wrap `how` can open. */
export async function unlockProfileKey(dataDir: string, how: Unlock): Promise<UnlockedProfile> {
  const file = profileKeyPath(dataDir)
  const f = readKeyFile(file)
  if (!f) throw new ProfileKeyError(file, 'is missing: this profile was wiped, or its data directory is incomplete', 'missing')
  let master: Buffer
  if ('passphrase' in how) {
    const wrap = f.wraps.find((w) => w.kind === 'passphrase')
    if (!wrap) throw new ProfileKeyError(file, 'has no passphrase; this profile opens only in the Tinjau app that made it (the OS key store)', 'no_wrap')
    const kek = await scrypt(how.passphrase, Buffer.from(wrap.kdf.salt, 'base64'), wrap.kdf)
    const opened = openSealed(kek, Buffer.from(wrap.nonce, 'base64'), Buffer.from(wrap.sealed, 'base64'), WRAP_AAD('passphrase'))
    if (!opened) throw new ProfileKeyError(file, 'the passphrase is not right', 'wrong_passphrase')
    master = opened
  } else {
    const wrap = f.wraps.find((w): w is Extract<Wrap, { kind: 'protector' }> => w.kind === 'protector' && w.protector === how.protector.name)
    if (!wrap) throw new ProfileKeyError(file, `is not sealed by "${how.protector.name}"`, 'no_wrap')
    try {
      master = how.protector.decrypt(Buffer.from(wrap.sealed, 'base64'))
    } catch (err) {
      throw new ProfileKeyError(file, `"${wrap.protector}" could not unseal the key (${(err as Error).message})`, 'protector_failed')
    }
  }
  if (master.length !== MASTER_KEY_BYTES) throw new ProfileKeyError(file, 'a wrap holds a key of the wrong length (damaged)', 'damaged')
  return { master, keys: deriveProfileKeys(master, dbCipherOf(f)) }
}

/**
 * unlockProfileKey with a passphrase, blocking the thread for the whole KDF: only for test
 * helpers that open a profile synchronously (openTestTinjau). Hosts use the async one.
 */
export function unlockProfileKeySync(dataDir: string, passphrase: string): UnlockedProfile {
  const file = profileKeyPath(dataDir)
  const f = readKeyFile(file)
  if (!f) throw new ProfileKeyError(file, 'is missing: this profile was wiped, or its data directory is incomplete', 'missing')
  const wrap = f.wraps.find((w) => w.kind === 'passphrase')
  if (!wrap) throw new ProfileKeyError(file, 'has no passphrase', 'no_wrap')
  const kek = scryptSync(passphrase.normalize('NFC'), Buffer.from(wrap.kdf.salt, 'base64'), 32, scryptOptions(wrap.kdf))
  const master = openSealed(kek, Buffer.from(wrap.nonce, 'base64'), Buffer.from(wrap.sealed, 'base64'), WRAP_AAD('passphrase'))
  if (!master) throw new ProfileKeyError(file, 'the passphrase is not right', 'wrong_passphrase')
  if (master.length !== MASTER_KEY_BYTES) throw new ProfileKeyError(file, 'a wrap holds a key of the wrong length (damaged)', 'damaged')
  return { master, keys: deriveProfileKeys(master, dbCipherOf(f)) }
}

/** Set (or replace) the passphrase wrap; other wraps stay. Needs the unlocked master key. */
export async function setPassphrase(dataDir: string, master: Buffer, passphrase: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<void> {
  const file = profileKeyPath(dataDir)
  const f = readKeyFile(file)
  if (!f) throw new ProfileKeyError(file, 'is missing', 'missing')
  const wrap = await passphraseWrap(master, passphrase, params, file)
  writeKeyFile(file, { ...f, wraps: [...f.wraps.filter((w) => w.kind !== 'passphrase'), wrap] }, 'replace')
}

/** Add (or replace) the wrap of an OS store, so the app opens without a prompt. */
export function setProtector(dataDir: string, master: Buffer, protector: KeyProtector): void {
  const file = profileKeyPath(dataDir)
  const f = readKeyFile(file)
  if (!f) throw new ProfileKeyError(file, 'is missing', 'missing')
  const wrap = protectorWrap(master, protector, file)
  writeKeyFile(file, { ...f, wraps: [...f.wraps.filter((w) => !(w.kind === 'protector' && w.protector === protector.name)), wrap] }, 'replace')
}

/**
 * Make the profile unreadable: overwrite the key file with random bytes, sync, remove it.
 * (Overwriting is best effort on SSDs and copy-on-write file systems, which may keep the
 * old blocks; what makes the data unreadable is that the key existed nowhere else.)
 * True when there was a key to wipe.
 */
export function wipeProfileKey(dataDir: string): boolean {
  const file = profileKeyPath(dataDir)
  let size: number
  try {
    size = statSync(file).size
  } catch {
    return false
  }
  const fd = openSync(file, 'r+')
  try {
    writeSync(fd, randomBytes(Math.max(size, 1)), 0, Math.max(size, 1), 0)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  rmSync(file, { force: true })
  syncDir(path.dirname(file))
  return true
}

async function passphraseWrap(master: Buffer, passphrase: string, params: ScryptParams, file: string): Promise<Wrap> {
  const weak = checkPassphrase(passphrase)
  if (weak) throw new ProfileKeyError(file, weak, 'weak_passphrase')
  const salt = randomBytes(16)
  const kek = await scrypt(passphrase, salt, params)
  const nonce = randomBytes(12)
  return {
    kind: 'passphrase',
    kdf: { name: 'scrypt', N: params.N, r: params.r, p: params.p, salt: salt.toString('base64') },
    nonce: nonce.toString('base64'),
    sealed: seal(kek, nonce, master, WRAP_AAD('passphrase')).toString('base64'),
  }
}

function protectorWrap(master: Buffer, protector: KeyProtector, file: string): Wrap {
  try {
    return { kind: 'protector', protector: protector.name, sealed: protector.encrypt(master).toString('base64') }
  } catch (err) {
    throw new ProfileKeyError(file, `"${protector.name}" could not seal the key (${(err as Error).message})`, 'protector_failed')
  }
}

function scrypt(passphrase: string, salt: Buffer, p: ScryptParams): Promise<Buffer> {
  // NFC, so the same passphrase typed on another keyboard layout or OS gives the same key.
  const opts = scryptOptions(p)
  return new Promise((resolve, reject) => scryptCb(passphrase.normalize('NFC'), salt, 32, opts, (err, key) => (err ? reject(err) : resolve(key))))
}

function scryptOptions(p: ScryptParams): ScryptOptions {
  return { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r + 16 * 1024 * 1024 }
}

function seal(key: Buffer, nonce: Buffer, plain: Buffer, aad: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce)
  c.setAAD(aad)
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()])
}

/** The plaintext, or null when the tag does not verify (a wrong passphrase, or a damaged wrap). */
function openSealed(key: Buffer, nonce: Buffer, sealed: Buffer, aad: Buffer): Buffer | null {
  if (sealed.length < 16 || nonce.length !== 12) return null
  const d = createDecipheriv('aes-256-gcm', key, nonce)
  d.setAAD(aad)
  d.setAuthTag(sealed.subarray(sealed.length - 16))
  try {
    return Buffer.concat([d.update(sealed.subarray(0, sealed.length - 16)), d.final()])
  } catch {
    return null
  }
}

/** The database's cipher as the file records it; a file from before it was recorded: SQLCipher 4's defaults. */
function dbCipherOf(f: KeyFile): DbCipher {
  return f.database ?? LEGACY_DB_CIPHER
}

function readKeyFile(file: string): KeyFile | null {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new ProfileKeyError(file, `cannot be read (${(err as Error).message})`, 'damaged')
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw new ProfileKeyError(file, 'is not valid JSON: it was damaged or edited; restore it from a backup', 'damaged')
  }
  const parsed = KeyFile.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new ProfileKeyError(file, `${issue.path.join('.') || '(top level)'} ${issue.message}`, 'damaged')
  }
  return parsed.data
}

function writeKeyFile(file: string, body: KeyFile, mode: 'create' | 'replace'): void {
  writeFileAtomically(file, `${JSON.stringify(body, null, 2)}\n`, (tmp) => {
    if (mode === 'create' && hasProfileKeyFile(file)) throw new ProfileKeyError(file, 'already exists; refusing to replace the key of an existing profile', 'exists')
    renameSync(tmp, file)
    syncDir(path.dirname(file))
  })
}

function hasProfileKeyFile(file: string): boolean {
  try {
    return statSync(file).isFile()
  } catch {
    return false
  }
}
