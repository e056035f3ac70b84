import { ZipFile } from 'yazl'
import { DECISION_LINE } from './decision-line'
import type { DeviceKey } from '../device-key'
import { PACK_HEADER_FIELDS, unknownFields } from './extras'
import {
  DECISIONS_ENTRY,
  DECISIONS_FORMAT,
  DECISIONS_VERSION,
  SIGNATURE_ENTRY,
  type DecisionCounts,
  type PackedPack,
} from '../../shared/decision-pack-format'
import { writeFileAtomically } from './out-file'
import { resolveSelection, selectionParams, withChainsSql, type ExportSelection, type NormalizedSelection } from './selection'
import { collectClipExtras } from './clip-extras'
import type { ClipJsonRef, ExportSource } from './source'

/**
 * Writing a decision pack (format: decision-pack-format.ts, docs/decision-pack.md). Built
 * for 100,000 decisions: rows stream from SQLite and each becomes one line of JSON text;
 * nothing is parsed back or schema-checked on the way out.
 */

export interface DecisionPackOptions extends ExportSelection {
  /** Replace `outFile` if it exists (default: refuse). */
  overwrite?: boolean
  now?: () => Date
}

export interface DecisionPackResult {
  file: string
  bytes: number
  createdAt: string
  publicKey: string
  selection: NormalizedSelection
  counts: DecisionCounts
}

export { DECISION_LINE }

/** [line (UTF-8 bytes), clip id, revises another (0/1), pack id, where the clip's JSON is (sha256, offset, length)]. */
type LineRow = [Buffer, string, number, string, string | null, number | null, number | null]
// As bytes: the line goes into the file as it is, so decoding it to a JS string and
// encoding it back would be wasted work.
const LINE_COLUMNS = `CAST(${DECISION_LINE} AS BLOB), d.clip_id, d.revises_id IS NOT NULL, c.pack_id, c.manifest_sha256, c.json_offset, c.json_length`

interface PackRow {
  id: string
  created_at: string
  issuer_name: string | null
  issuer_key: string | null
  policy_id: string | null
  policy_version: string | null
  signed: number
  header_json: string
}

function packEntry(row: PackRow): PackedPack {
  const extra = unknownFields(JSON.parse(row.header_json), PACK_HEADER_FIELDS) as Record<string, unknown> | undefined
  return {
    id: row.id,
    created_at: row.created_at,
    issuer: row.issuer_name === null && row.issuer_key === null ? null : { name: row.issuer_name, public_key: row.issuer_key },
    policy: row.policy_id === null && row.policy_version === null ? null : { id: row.policy_id, version: row.policy_version },
    signed: row.signed === 1,
    ...(extra ? { extra } : {}),
  }
}

interface SelectedLines {
  lines: Buffer[]
  revisions: number
  /** Each clip once, with where its JSON is (null: kept in the clip's row). */
  clips: Map<string, ClipJsonRef | null>
  packIds: Set<string>
}

function readLines(source: ExportSource, sel: NormalizedSelection): SelectedLines {
  const out: SelectedLines = { lines: [], revisions: 0, clips: new Map(), packIds: new Set() }
  const rows = source.sqlite.prepare(withChainsSql(sel, LINE_COLUMNS)).raw()
  for (const [line, clipId, revises, packId, sha, offset, length] of rows.iterate(...selectionParams(sel)) as IterableIterator<LineRow>) {
    out.lines.push(line)
    out.revisions += revises
    out.packIds.add(packId)
    if (!out.clips.has(clipId)) out.clips.set(clipId, sha === null ? null : { manifest_sha256: sha, json_offset: offset, json_length: length, raw_json: '' })
  }
  return out
}

/** The members of `clip_extras`, sorted by clip id, as JSON text. */
function clipExtrasMembers(source: ExportSource, clips: Map<string, ClipJsonRef | null>): string[] {
  // Clips kept in their row rather than in a stored pack.json are rare: read here, once each.
  const inRow = source.sqlite.prepare('SELECT manifest_sha256, json_offset, json_length, raw_json FROM clips WHERE id = ?')
  const refs = new Map<string, ClipJsonRef>()
  for (const [id, ref] of clips) refs.set(id, ref ?? (inRow.get(id) as ClipJsonRef))
  return [...collectClipExtras(source.manifests, refs)]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([id, extra]) => `${JSON.stringify(id)}:${JSON.stringify(extra)}`)
}

function packEntries(source: ExportSource, packIds: Set<string>): PackedPack[] {
  const byId = source.sqlite.prepare('SELECT id, created_at, issuer_name, issuer_key, policy_id, policy_version, signed, header_json FROM packs WHERE id = ?')
  return [...packIds].sort().map((id) => packEntry(byId.get(id) as PackRow))
}

/** The exact bytes of decisions.json for a selection, and what they count. */
export function buildDecisionsJson(source: ExportSource, publicKey: string, sel: NormalizedSelection, createdAt: string): { bytes: Buffer; counts: DecisionCounts } {
  const { lines, revisions, clips, packIds } = readLines(source, sel)
  const extras = clipExtrasMembers(source, clips)
  const packs = packEntries(source, packIds)
  const counts: DecisionCounts = { decisions: lines.length, revisions, chains: lines.length - revisions, clips: clips.size, packs: packs.length }
  const head = {
    format: DECISIONS_FORMAT,
    version: DECISIONS_VERSION,
    created_at: createdAt,
    exporter: { device_id: source.identity.deviceId, reviewer_id: source.identity.reviewerId, public_key: publicKey },
    selection: { from: sel.from, to: sel.to, pack_id: sel.packId },
    counts,
    packs,
  }
  const before = Buffer.from(`${JSON.stringify(head).slice(0, -1)},"decisions":[`)
  const after = Buffer.from(`${lines.length > 0 ? '\n' : ''}],"clip_extras":{${extras.length > 0 ? `\n${extras.join(',\n')}\n` : ''}}}\n`)
  return { bytes: joinLines(before, lines, after), counts }
}

/**
 * `before`, the lines (one per line of the file), `after`, in one buffer: signing and
 * zipping need the file whole, and sizing it first makes that one allocation and one copy.
 */
function joinLines(before: Buffer, lines: Buffer[], after: Buffer): Buffer {
  let size = before.length + after.length
  for (const line of lines) size += line.length + 2
  const out = Buffer.allocUnsafe(size)
  let at = before.copy(out, 0)
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) out[at++] = COMMA
    out[at++] = NEWLINE
    at += (lines[i] as Buffer).copy(out, at)
  }
  at += after.copy(out, at)
  return out.subarray(0, at)
}

const NEWLINE = 0x0a
const COMMA = 0x2c

function zipBytes(json: Buffer, signature: Buffer, mtime: Date): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const zip = new ZipFile()
    zip.addBuffer(json, DECISIONS_ENTRY, { mtime, compress: true })
    zip.addBuffer(signature, SIGNATURE_ENTRY, { mtime, compress: false })
    zip.end()
    const chunks: Buffer[] = []
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c))
    zip.outputStream.on('error', reject)
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)))
  })
}

/** Export the selected decisions (with whole revision chains) as a signed decision pack at `outFile`. */
export async function writeDecisionPack(source: ExportSource, key: Pick<DeviceKey, 'publicKey' | 'sign'>, outFile: string, opts: DecisionPackOptions = {}): Promise<DecisionPackResult> {
  const sel = resolveSelection(source.sqlite, opts)
  const createdAt = (opts.now?.() ?? new Date()).toISOString()
  const { bytes, counts } = buildDecisionsJson(source, key.publicKey, sel, createdAt)
  const zip = await zipBytes(bytes, key.sign(bytes), new Date(createdAt))
  const file = await writeFileAtomically(outFile, zip, opts.overwrite ?? false)
  return { file, bytes: zip.length, createdAt, publicKey: key.publicKey, selection: sel, counts }
}
