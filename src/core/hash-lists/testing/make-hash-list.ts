import { generateKeyPairSync, sign } from 'node:crypto'
import path from 'node:path'
import { HASHER_ID } from '../../../shared/frame-hashes'
import { HASH_LIST_FORMAT, HASH_LIST_VERSION, type HashListDocument, type HashListEntry, type HashListFrame } from '../../../shared/hash-list-format'
import { publicKeyString } from '../../ed25519'
import { tempDir } from '../../testing/make-pack'
import { seededRandom } from '../../hashes/synthetic'
import { writeHashList, type HashListKey } from '../hash-list-file'

/** Hash lists for tests: a fresh issuer key, seeded random frames, documents to change before writing. */

export function makeIssuerKey(): HashListKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return { publicKey: publicKeyString(publicKey), sign: (bytes) => sign(null, bytes, privateKey) }
}

export function randomHex(rand: () => number): string {
  let out = ''
  for (let i = 0; i < 8; i++) out += ((rand() * 4294967296) >>> 0).toString(16).padStart(8, '0')
  return out
}

/** `count` frames a second apart, each with `perFrame` random hashes of quality 80. */
export function randomFrames(count: number, perFrame: number, seed: number): HashListFrame[] {
  const rand = seededRandom(seed)
  return Array.from({ length: count }, (_, i) => ({ t_ms: i * 1000, hashes: Array.from({ length: perFrame }, () => ({ hash: randomHex(rand), quality: 80 })) }))
}

export function makeEntry(id: string, overrides: Partial<HashListEntry> = {}, seed = 1): HashListEntry {
  return {
    id,
    label: `known riot footage ${id}`,
    kind: 'video',
    media_sha256: null,
    hasher: HASHER_ID,
    frames: randomFrames(5, 4, seed),
    decision: {
      action: 'remove',
      categories: ['violence.incitement'],
      rationale: 'Calls to burn the market.',
      policy_id: 'live-safety',
      policy_version: '2025.09',
      decided_by: 'lead-ana',
      decided_at: '2025-09-04T08:00:00.000Z',
      source_clip_id: null,
    },
    ...overrides,
  }
}

export function makeHashListDoc(key: HashListKey, entries: HashListEntry[], overrides: Partial<HashListDocument> = {}): HashListDocument {
  return {
    format: HASH_LIST_FORMAT,
    version: HASH_LIST_VERSION,
    id: 'hl-jkt-riots',
    name: 'Jakarta riots, known footage',
    created_at: '2025-09-05T10:00:00.000Z',
    issuer: { name: 'Trust & Safety lead', public_key: key.publicKey },
    entries,
    ...overrides,
  }
}

export async function writeTestHashList(doc: HashListDocument, key: HashListKey, file = path.join(tempDir('tinjau-hashlist-'), 'list.zip')): Promise<string> {
  return (await writeHashList(doc, key, file, { overwrite: true })).file
}
