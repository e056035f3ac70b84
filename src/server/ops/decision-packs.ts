import { DECISIONS_ENTRY, DecisionsDocument, SIGNATURE_ENTRY } from '../../shared/decision-pack-format'
import type { DecisionPackResponse } from '../../shared/sync-protocol'
import { verifyEd25519 } from '../../core/ed25519'
import { DEFAULT_MAX_JSON_BYTES, verifyDecisionPack } from '../../core/export/decision-pack-verify'
import { readKnownZip } from '../../core/export/zip-read'
import { one, sql, type Db } from '../db/open'
import { ServerError } from '../errors'
import { storeDecisions } from './decisions'

/**
 * A decision pack (docs/decision-pack.md) taken in: checked by the app's own verifier
 * (container, signature, shape, chains, counts), then its decisions stored exactly as a
 * push from the exporting device would store them. The exporter's key must be the key of
 * an enrolled, unrevoked device: that device's reviewer is whose decisions these may be.
 */

export async function ingestDecisionPack(db: Db, file: string): Promise<DecisionPackResponse> {
  const verified = await verifyDecisionPack(file)
  if (!verified.ok) {
    const [first] = verified.problems
    throw new ServerError(
      'invalid_request',
      `the decision pack does not verify: ${first?.message ?? 'unknown problem'}${verified.problems.length > 1 ? ` (and ${verified.problems.length - 1} more problems)` : ''}`,
      verified.problems.slice(0, 20).map((p) => ({ path: p.code, message: p.message })),
    )
  }
  const { publicKey, deviceId } = verified.summary
  const device = await one<{ id: string; reviewer_id: string; public_key: string }>(
    db,
    sql`SELECT id, reviewer_id, public_key FROM devices WHERE public_key = ${publicKey} AND revoked_at IS NULL
        ORDER BY (id = ${deviceId}) DESC, enrolled_at LIMIT 1`,
  )
  if (!device) throw new ServerError('forbidden', `the decision pack is signed by ${publicKey}, which is not the key of an enrolled device`)

  // Read again and checked again against the key just looked up: what is stored is exactly
  // the bytes whose signature was checked, even if the file changed since the verifier read it.
  const zip = await readKnownZip(file, { entries: { [DECISIONS_ENTRY]: DEFAULT_MAX_JSON_BYTES, [SIGNATURE_ENTRY]: 64 } })
  if (!zip.ok) throw new ServerError('invalid_request', `the decision pack cannot be read: ${zip.problems.join('; ')}`)
  const json = zip.entries.get(DECISIONS_ENTRY)!
  const signature = zip.entries.get(SIGNATURE_ENTRY)!
  if (!verifyEd25519(device.public_key, json, signature)) throw new ServerError('invalid_request', 'the decision pack changed while it was being read')
  const parsed = DecisionsDocument.safeParse(JSON.parse(new TextDecoder('utf-8', { ignoreBOM: true }).decode(json)))
  if (!parsed.success) throw new ServerError('invalid_request', 'the decision pack changed while it was being read')

  const doc = parsed.data
  const results =
    doc.decisions.length === 0
      ? []
      : await storeDecisions(db, { reviewerId: device.reviewer_id, deviceId: device.id, publicKey: device.public_key }, doc.decisions, {
          kind: 'decision_pack',
          ref: doc.created_at,
          body: json,
          signature,
        })
  const counts = { stored: 0, duplicate: 0, rejected: 0 }
  for (const r of results) counts[r.outcome]++
  return { counts, results }
}
