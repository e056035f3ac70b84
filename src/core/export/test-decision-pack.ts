import { generateKeyPairSync, sign } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { ZipFile } from 'yazl'
import { DecisionsDocument } from '../../shared/decision-pack-format'
import { publicKeyString } from '../device-key'
import { readKnownZip } from './zip-read'

/** Decision pack files for the export tests: read back, hand-made zips, and packs signed by a key of the test's own. */

/** decisions.json (its bytes, and parsed) and decisions.sig of a decision pack file. */
export async function readDecisionPackEntries(file: string): Promise<{ json: Buffer; sig: Buffer; doc: DecisionsDocument }> {
  const zip = await readKnownZip(file, { entries: { 'decisions.json': 1 << 30, 'decisions.sig': 64 } })
  if (!zip.ok) throw new Error(zip.problems.join('; '))
  const json = zip.entries.get('decisions.json')!
  return { json, sig: zip.entries.get('decisions.sig')!, doc: DecisionsDocument.parse(JSON.parse(json.toString('utf8'))) }
}

/** A zip of exactly these entries, in this order (names as given, even repeated ones). */
export function zipOf(entries: [string, Buffer][]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new ZipFile()
    for (const [name, bytes] of entries) zip.addBuffer(bytes, name)
    zip.end()
    const chunks: Buffer[] = []
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c))
    zip.outputStream.on('error', reject)
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)))
  })
}

/** Writes to `file` a pack holding whatever JSON the test gives, its exporter key swapped for a fresh one that signs it. */
export async function writeForgedDecisionPack(doc: unknown, file: string): Promise<string> {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519')
  const withKey = JSON.parse(JSON.stringify(doc)) as { exporter: { public_key: string } }
  withKey.exporter.public_key = publicKeyString(publicKey)
  const json = Buffer.from(JSON.stringify(withKey))
  writeFileSync(file, await zipOf([['decisions.json', json], ['decisions.sig', sign(null, json, privateKey)]]))
  return file
}
