import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as edSign, type KeyObject } from 'node:crypto'
import { linkSync, mkdirSync, readFileSync, renameSync } from 'node:fs'
import path from 'node:path'
import { writeFileAtomically } from './atomic-file'
import { PUBLIC_KEY, publicKeyString } from './ed25519'

// The key forms and the check live with the pack signature's in ed25519.ts; these were here first.
export { parsePublicKey, publicKeyString, verifyEd25519 } from './ed25519'

/**
 * The device's Ed25519 key pair: it signs decision packs, so a lead can tell which machine
 * produced one and that nothing in it changed. Made once per data directory, on first use,
 * and never silently replaced: a key file that cannot be read is an error, because a fresh
 * key would make every pack signed so far unverifiable against "this device".
 */

export const DEVICE_KEY_FILE = 'device-key.json'
const FORMAT = 'tinjau.device-key'

/** Seals the private key at rest (Electron passes one built on `safeStorage`). */
export interface KeyProtector {
  /** Recorded in the key file, so a file sealed by one protector is never handed to another. */
  name: string
  encrypt(plain: Buffer): Buffer
  decrypt(sealed: Buffer): Buffer
}

export interface DeviceKey {
  /** `ed25519:` + base64 of the raw 32-byte public key (the form pack.json uses for issuers). */
  publicKey: string
  createdAt: string
  /** The protector that seals the private key, or null when it is stored plainly (mode 0600). */
  protector: string | null
  sign(bytes: Uint8Array): Buffer
}

export class DeviceKeyError extends Error {
  constructor(file: string, problem: string) {
    super(`device key ${file}: ${problem}`)
    this.name = 'DeviceKeyError'
  }
}

interface KeyFile {
  format: typeof FORMAT
  version: 1
  created_at: string
  public_key: string
  /** null: `private_key` is PKCS#8 DER, base64; otherwise it is that protector's sealed PKCS#8 DER, base64. */
  protector: string | null
  private_key: string
}

/**
 * The profile's key: read from `<dataDir>/device-key.json`, or made there on first use.
 * Hosts call it once when the profile opens (Electron after `ready`, with a protector on
 * `safeStorage` when `isEncryptionAvailable()`); it throws DeviceKeyError, naming the file
 * and the problem, rather than ever replacing a key it cannot read.
 */
export function loadOrCreateDeviceKey(dataDir: string, protector?: KeyProtector, now: () => Date = () => new Date(), previous: readonly KeyProtector[] = []): DeviceKey {
  const file = path.join(dataDir, DEVICE_KEY_FILE)
  const existing = readKeyFile(file)
  if (existing !== null) {
    // `previous`: protectors that may have sealed it before (Electron's safeStorage, before
    // an encrypted profile's own key took over); the file is sealed again with `protector`.
    const opener = existing.protector === null ? undefined : ([protector, ...previous].find((p) => p?.name === existing.protector) ?? protector)
    const key = openKeyFile(file, existing, opener)
    // A key stored plainly (say, made by the CLI), or sealed by an earlier protector, is sealed as soon as a protector is at hand.
    if (protector && existing.protector !== protector.name) {
      const sealed = Buffer.from(existing.private_key, 'base64')
      const der = existing.protector === null ? sealed : opener!.decrypt(sealed)
      writeKeyFile(file, { ...existing, protector: protector.name, private_key: protector.encrypt(der).toString('base64') }, 'replace')
      return { ...key, protector: protector.name }
    }
    return key
  }
  mkdirSync(dataDir, { recursive: true })
  createKeyFile(file, protector, now())
  // Whether this call or a concurrent one put it in place, the file there now is the key.
  return openKeyFile(file, readKeyFile(file) ?? fail(file, 'vanished right after it was written'), protector)
}

function fail(file: string, problem: string): never {
  throw new DeviceKeyError(file, problem)
}

/** The parsed file, or null when there is none yet. Anything else wrong with it is an error. */
function readKeyFile(file: string): KeyFile | null {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    return fail(file, `cannot be read (${(err as Error).message})`)
  }
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return fail(file, 'is not valid JSON; it was damaged or edited. Restore it from a backup, or remove it to make a new key (packs signed with the old key will no longer match this device)')
  }
  const problem = keyFileProblem(raw)
  if (problem) return fail(file, problem)
  return raw as KeyFile
}

function keyFileProblem(raw: unknown): string | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'is not a JSON object'
  const f = raw as Record<string, unknown>
  if (f.format !== FORMAT) return `format is not "${FORMAT}"`
  if (f.version !== 1) return `version ${JSON.stringify(f.version)} is not supported (this build reads version 1)`
  if (typeof f.created_at !== 'string') return 'created_at is missing'
  if (typeof f.public_key !== 'string' || !PUBLIC_KEY.test(f.public_key)) return 'public_key is not "ed25519:" + base64 of 32 bytes'
  if (f.protector !== null && (typeof f.protector !== 'string' || f.protector.length === 0)) return 'protector must be null or a name'
  if (typeof f.private_key !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(f.private_key)) return 'private_key is not base64'
  return null
}

function openKeyFile(file: string, f: KeyFile, protector: KeyProtector | undefined): DeviceKey {
  let der: Buffer = Buffer.from(f.private_key, 'base64')
  if (f.protector !== null) {
    if (!protector) return fail(file, `the private key is sealed by "${f.protector}", which is not available here; refusing to make a new key in its place`)
    if (protector.name !== f.protector) {
      return fail(file, `the private key is sealed by "${f.protector}", not by "${protector.name}"; refusing to make a new key in its place`)
    }
    try {
      der = protector.decrypt(der)
    } catch (err) {
      return fail(file, `"${f.protector}" could not unseal the private key (${(err as Error).message})`)
    }
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  } catch {
    return fail(file, 'the private key is not a PKCS#8 key (damaged, or unsealed with the wrong key)')
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') return fail(file, `the private key is ${privateKey.asymmetricKeyType ?? 'unknown'}, not Ed25519`)
  // The public key is stored for readers that have no protector; it must be the private key's own.
  if (publicKeyString(createPublicKey(privateKey)) !== f.public_key) return fail(file, 'public_key does not belong to the private key (the file was edited)')
  return {
    publicKey: f.public_key,
    createdAt: f.created_at,
    protector: f.protector,
    sign: (bytes) => edSign(null, bytes, privateKey),
  }
}

/** Put a new key in place, unless another process has just done so. */
function createKeyFile(file: string, protector: KeyProtector | undefined, at: Date): void {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const der = privateKey.export({ format: 'der', type: 'pkcs8' })
  const body: KeyFile = {
    format: FORMAT,
    version: 1,
    created_at: at.toISOString(),
    public_key: publicKeyString(publicKey),
    protector: protector ? protector.name : null,
    private_key: (protector ? protector.encrypt(der) : der).toString('base64'),
  }
  writeKeyFile(file, body, 'create')
}

function writeKeyFile(file: string, body: KeyFile, mode: 'create' | 'replace'): void {
  writeFileAtomically(file, `${JSON.stringify(body, null, 2)}\n`, mode === 'replace' ? undefined : (tmp) => placeUnlessPresent(tmp, file))
}

function placeUnlessPresent(tmp: string, file: string): void {
  try {
    // link, unlike rename, never replaces a key another process has just put in place.
    linkSync(tmp, file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return
    // File systems without hard links: rename is still atomic, only not exclusive.
    renameSync(tmp, file)
  }
}
