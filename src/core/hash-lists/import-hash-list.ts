import { createHash } from 'node:crypto'
import { TinjauError } from '../../shared/errors'
import type { HashListImportResult } from '../../shared/hash-lists'
import { sameIssuerKey } from '../pack-import/signature'
import type { ImportSettings } from '../settings'
import { readHashList, type ReadHashListOptions } from './hash-list-file'
import type { HashListStore } from './hash-list-store'

/**
 * Importing a hash list file into the profile (docs/hash-list.md). Trust follows the field
 * packs' policy (read-manifest.ts): the profile's trusted issuer keys (setting
 * import.trusted_issuer_keys) name who may issue; when the setting lists keys, a list signed
 * by any other key is refused; when it lists none, the profile trusts any issuer, as for
 * packs. Unlike a pack, a list is never unsigned, and a signature that does not verify is
 * always refused. Every refusal happens before anything is written.
 */
export async function importHashList(store: HashListStore, settings: Pick<ImportSettings, 'trustedIssuerKeys'>, file: string, opts: ReadHashListOptions = {}): Promise<HashListImportResult> {
  const read = await readHashList(file, opts)
  const { document: doc } = read
  const key = doc.issuer.public_key
  const trusted = settings.trustedIssuerKeys
  const pinned = trusted.some((k) => sameIssuerKey(k, key))
  if (trusted.length > 0 && !pinned) {
    throw new TinjauError(
      'invalid_input',
      `hash list ${file} cannot be imported: issuer.public_key: the list is signed by ${key} (${doc.issuer.name}), which is not one of this profile's trusted issuer keys (setting import.trusted_issuer_keys)`,
      [{ path: 'hashlist.json issuer.public_key', message: 'not a trusted issuer key' }],
    )
  }
  const put = store.put(
    {
      id: doc.id,
      source: 'hashlist',
      name: doc.name,
      createdAt: doc.created_at,
      issuerName: doc.issuer.name,
      issuerKey: key,
      jsonSha256: createHash('sha256').update(read.json).digest('hex'),
    },
    doc.entries,
  )
  const list = store.get(doc.id)
  if (!list) throw new TinjauError('internal', `hash list ${doc.id} was put but cannot be read back`)
  return { list, ...put, issuerPinned: pinned }
}
