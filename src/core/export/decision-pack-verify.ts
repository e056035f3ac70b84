import { verifyEd25519 } from '../device-key'
import {
  DECISIONS_ENTRY,
  DECISIONS_FORMAT,
  DECISIONS_VERSION,
  DecisionsDocument,
  SIGNATURE_ENTRY,
  type DecisionCounts,
} from '../../shared/decision-pack-format'
import { readKnownZip } from './zip-read'

/**
 * Checking a decision pack someone hands over: a file nobody vouches for. Every problem
 * found is reported, not just the first, so a lead learns at once what is wrong with it.
 */

export interface VerifyOptions {
  /** Also require the pack to be signed by this key (`ed25519:<base64>`), e.g. the one a device enrolled with. */
  expectedPublicKey?: string
  /** decisions.json larger than this is refused before it is read (default 512 MiB). */
  maxJsonBytes?: number
}

export type VerifyProblemCode = 'container' | 'encoding' | 'json' | 'format' | 'shape' | 'signature' | 'key_mismatch' | 'ids' | 'revisions' | 'packs' | 'counts' | 'matches'

export interface VerifyProblem {
  code: VerifyProblemCode
  message: string
}

export interface DecisionPackSummary {
  format: typeof DECISIONS_FORMAT
  version: typeof DECISIONS_VERSION
  createdAt: string
  deviceId: string
  reviewerId: string
  publicKey: string
  selection: { from: string | null; to: string | null; packId: string | null }
  counts: DecisionCounts
  /** The earliest and latest decided_at in the pack (null when it holds none). */
  firstDecidedAt: string | null
  lastDecidedAt: string | null
}

export type VerifyResult = { ok: true; summary: DecisionPackSummary } | { ok: false; problems: VerifyProblem[] }

export const DEFAULT_MAX_JSON_BYTES = 512 * 1024 * 1024
/** Schema problems listed one by one; past this many, the rest are counted. */
const MAX_LISTED = 20

export async function verifyDecisionPack(file: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const zip = await readKnownZip(file, { entries: { [DECISIONS_ENTRY]: opts.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES, [SIGNATURE_ENTRY]: 64 } })
  if (!zip.ok) return { ok: false, problems: zip.problems.map((message) => ({ code: 'container', message })) }
  const json = zip.entries.get(DECISIONS_ENTRY) ?? Buffer.alloc(0)
  const signature = zip.entries.get(SIGNATURE_ENTRY) ?? Buffer.alloc(0)
  const problems: VerifyProblem[] = []
  const add = (code: VerifyProblemCode, message: string) => problems.push({ code, message })

  const raw = parseJson(json, add)
  const embeddedKey = publicKeyOf(raw)
  checkSignature(json, signature, embeddedKey, opts.expectedPublicKey, add)
  if (raw === undefined) return { ok: false, problems }

  const header = raw as { format?: unknown; version?: unknown }
  if (header.format !== DECISIONS_FORMAT) add('format', `${DECISIONS_ENTRY}: format is ${JSON.stringify(header.format)}, not "${DECISIONS_FORMAT}"`)
  else if (header.version !== DECISIONS_VERSION) {
    add('format', `${DECISIONS_ENTRY}: version ${JSON.stringify(header.version)} is not supported (this build reads version ${DECISIONS_VERSION})`)
  }
  if (problems.some((p) => p.code === 'format')) return { ok: false, problems }

  const parsed = DecisionsDocument.safeParse(raw)
  if (!parsed.success) {
    const issues = parsed.error.issues
    for (const i of issues.slice(0, MAX_LISTED)) add('shape', `${DECISIONS_ENTRY}: ${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    if (issues.length > MAX_LISTED) add('shape', `${DECISIONS_ENTRY}: ${issues.length - MAX_LISTED} more problems of the same kind`)
    return { ok: false, problems }
  }
  checkContents(parsed.data, add)
  if (problems.length > 0) return { ok: false, problems }

  const doc = parsed.data
  const times = doc.decisions.map((d) => d.decided_at).sort()
  return {
    ok: true,
    summary: {
      format: DECISIONS_FORMAT,
      version: DECISIONS_VERSION,
      createdAt: doc.created_at,
      deviceId: doc.exporter.device_id,
      reviewerId: doc.exporter.reviewer_id,
      publicKey: doc.exporter.public_key,
      selection: { from: doc.selection.from, to: doc.selection.to, packId: doc.selection.pack_id },
      counts: doc.counts,
      firstDecidedAt: times[0] ?? null,
      lastDecidedAt: times[times.length - 1] ?? null,
    },
  }
}

type Add = (code: VerifyProblemCode, message: string) => void

function parseJson(bytes: Buffer, add: Add): unknown {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    add('encoding', `${DECISIONS_ENTRY} is not valid UTF-8`)
    return undefined
  }
  try {
    const value = JSON.parse(text) as unknown
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value
    add('json', `${DECISIONS_ENTRY} is not a JSON object`)
  } catch (err) {
    add('json', `${DECISIONS_ENTRY} is not valid JSON (${(err as Error).message})`)
  }
  return undefined
}

function publicKeyOf(raw: unknown): string | undefined {
  const key = (raw as { exporter?: { public_key?: unknown } } | undefined)?.exporter?.public_key
  return typeof key === 'string' ? key : undefined
}

function checkSignature(json: Buffer, signature: Buffer, embeddedKey: string | undefined, expectedKey: string | undefined, add: Add): void {
  if (signature.length !== 64) {
    add('signature', `${SIGNATURE_ENTRY} is ${signature.length} bytes; an Ed25519 signature is 64`)
    return
  }
  if (expectedKey !== undefined && embeddedKey !== undefined && embeddedKey !== expectedKey) {
    add('key_mismatch', `signed by ${embeddedKey}, not by the expected key ${expectedKey}`)
  }
  // Without a readable key in the file, the expected key (if given) still tells whether the bytes are the signed ones.
  const key = embeddedKey ?? expectedKey
  if (key === undefined) {
    add('signature', `${SIGNATURE_ENTRY} cannot be checked: ${DECISIONS_ENTRY} names no exporter.public_key`)
    return
  }
  if (!verifyEd25519(key, json, signature)) {
    add('signature', `${SIGNATURE_ENTRY} does not match ${DECISIONS_ENTRY} under ${key}: the file was changed after it was signed, or signed by another key`)
  }
}

/** What the schema cannot say: ids, chains, packs and counts agree with each other. */
function checkContents(doc: DecisionsDocument, add: Add): void {
  const byId = new Map<string, DecisionsDocument['decisions'][number]>()
  for (const d of doc.decisions) {
    if (byId.has(d.id)) add('ids', `decision ${d.id} appears more than once`)
    byId.set(d.id, d)
  }
  const revisedBy = new Map<string, string>()
  for (const d of doc.decisions) {
    if (d.revises_id === null) continue
    const prior = byId.get(d.revises_id)
    if (!prior) add('revisions', `decision ${d.id} revises ${d.revises_id}, which is not in the pack (chains are exported whole)`)
    else if (prior.clip_id !== d.clip_id) add('revisions', `decision ${d.id} revises ${d.revises_id}, a decision on another clip`)
    const other = revisedBy.get(d.revises_id)
    if (other !== undefined) add('revisions', `decision ${d.revises_id} is revised twice (by ${other} and ${d.id})`)
    revisedBy.set(d.revises_id, d.id)
  }
  checkAcyclic(doc, byId, add)
  // The matched clip need not be in the pack (a selection by time may leave it out), but it is never the clip itself.
  for (const d of doc.decisions) {
    if (d.matched_from?.source === 'clip' && d.matched_from.clip_id === d.clip_id) add('matches', `decision ${d.id} says it came from a match with its own clip ${d.clip_id}`)
  }

  const packIds = new Set<string>()
  for (const p of doc.packs) {
    if (packIds.has(p.id)) add('packs', `pack ${p.id} is listed more than once`)
    packIds.add(p.id)
  }
  const clipIds = new Set(doc.decisions.map((d) => d.clip_id))
  const usedPacks = new Set(doc.decisions.map((d) => d.pack_id))
  for (const id of usedPacks) if (!packIds.has(id)) add('packs', `decisions name pack ${id}, which packs does not list`)
  for (const id of packIds) if (!usedPacks.has(id)) add('packs', `pack ${id} is listed but no decision comes from it`)
  for (const id of Object.keys(doc.clip_extras)) if (!clipIds.has(id)) add('ids', `clip_extras names clip ${id}, which no decision is about`)

  const revisions = doc.decisions.filter((d) => d.revises_id !== null).length
  const actual: DecisionCounts = { decisions: doc.decisions.length, revisions, chains: doc.decisions.length - revisions, clips: clipIds.size, packs: doc.packs.length }
  for (const k of Object.keys(actual) as (keyof DecisionCounts)[]) {
    if (doc.counts[k] !== actual[k]) add('counts', `counts.${k} says ${doc.counts[k]}, but the pack holds ${actual[k]}`)
  }
}

/**
 * Every decision must lead back to a chain's first decision: a loop of revisions has none.
 * Linear: each decision is walked once, however long the chain (a hostile pack may hold
 * one chain of 100,000).
 */
function checkAcyclic(doc: DecisionsDocument, byId: Map<string, DecisionsDocument['decisions'][number]>, add: Add): void {
  const settled = new Set<string>()
  for (const d of doc.decisions) {
    const walked = new Set<string>()
    let at: string | null = d.id
    while (at !== null && !settled.has(at)) {
      if (walked.has(at)) {
        add('revisions', `decision ${at} is part of a loop of revisions`)
        return
      }
      walked.add(at)
      at = byId.get(at)?.revises_id ?? null
    }
    for (const id of walked) settled.add(id)
  }
}
