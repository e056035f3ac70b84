import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto'
import type { PackedDecision } from '../../shared/decision-pack-format'
import { DECISIONS_FORMAT, DECISIONS_VERSION, type DecisionsDocument } from '../../shared/decision-pack-format'
import { PROTOCOL_HEADER, SIGNATURE_HEADER, type EnrollResponse, type PushRequest } from '../../shared/sync-protocol'
import { zipBytes } from '../../core/testing/make-zip'

/**
 * A minimal device for the service's own tests: an Ed25519 key, enrollment, signed pushes
 * and authenticated requests, written against the protocol directly (not the app's sync
 * client) so these tests pin the wire format.
 */

export class TestDevice {
  readonly privateKey: KeyObject
  readonly publicKey: string
  token = ''
  reviewerId = ''

  constructor(
    readonly url: string,
    readonly deviceId = `dev-${randomUUID()}`,
  ) {
    const pair = generateKeyPairSync('ed25519')
    this.privateKey = pair.privateKey
    const raw = Buffer.from(pair.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url')
    this.publicKey = `ed25519:${raw.toString('base64')}`
  }

  async enroll(code: string): Promise<EnrollResponse> {
    const res = await this.request('POST', '/v1/enroll', { json: { code, device_id: this.deviceId, public_key: this.publicKey } })
    const body = (await res.json()) as EnrollResponse
    if (res.status !== 200) throw new Error(`enroll failed: ${res.status} ${JSON.stringify(body)}`)
    this.token = body.token
    this.reviewerId = body.reviewer_id
    return body
  }

  sign(bytes: Uint8Array): string {
    return sign(null, bytes, this.privateKey).toString('base64')
  }

  decision(clipId: string, overrides: Partial<PackedDecision> = {}): PackedDecision {
    return {
      id: randomUUID(),
      clip_id: clipId,
      pack_id: 'pk-test-01',
      revises_id: null,
      decided_at: new Date().toISOString(),
      reviewer_id: this.reviewerId,
      device_id: this.deviceId,
      policy_id: 'live-safety',
      policy_version: '2025.09',
      categories: ['violence.arson'],
      action: 'remove',
      escalation_target: null,
      ranges: [{ start_ms: 1000, end_ms: 2000, label: 'call to burn', note: '' }],
      rationale: 'Calls to burn the market.',
      ...overrides,
    }
  }

  pushBody(decisions: PackedDecision[], batchId = randomUUID(), mediaHashes?: PushRequest['media_hashes']): Buffer {
    const push: PushRequest = { batch_id: batchId, device_id: this.deviceId, decisions, ...(mediaHashes ? { media_hashes: mediaHashes } : {}) }
    return Buffer.from(JSON.stringify(push))
  }

  /** A signed push of exactly these bytes (signed by this device unless `signature` is given). */
  async pushRaw(body: Buffer, opts: { signature?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    return this.request('POST', '/v1/decisions', { body, headers: { [SIGNATURE_HEADER]: opts.signature ?? this.sign(body), ...opts.headers } })
  }

  async push(decisions: PackedDecision[]): Promise<Response> {
    return this.pushRaw(this.pushBody(decisions))
  }

  /** A decision pack zip of these decisions, signed by this device (the exporter). */
  decisionPack(decisions: PackedDecision[], tamper?: (json: Buffer) => Buffer): Buffer {
    const revisions = decisions.filter((d) => d.revises_id !== null).length
    const packIds = [...new Set(decisions.map((d) => d.pack_id))].sort()
    const doc: DecisionsDocument = {
      format: DECISIONS_FORMAT,
      version: DECISIONS_VERSION,
      created_at: new Date().toISOString(),
      exporter: { device_id: this.deviceId, reviewer_id: this.reviewerId, public_key: this.publicKey },
      selection: { from: null, to: null, pack_id: null },
      counts: { decisions: decisions.length, revisions, chains: decisions.length - revisions, clips: new Set(decisions.map((d) => d.clip_id)).size, packs: packIds.length },
      packs: packIds.map((id) => ({ id, created_at: '2025-09-04T08:00:00Z', issuer: null, policy: null, signed: false })),
      decisions,
      clip_extras: {},
    }
    const json = Buffer.from(JSON.stringify(doc))
    const signature = sign(null, json, this.privateKey)
    return zipBytes([
      { name: 'decisions.json', data: tamper ? tamper(json) : json, method: 'deflate' },
      { name: 'decisions.sig', data: signature, method: 'stored' },
    ])
  }

  async request(method: string, path: string, opts: { json?: unknown; body?: Buffer; headers?: Record<string, string>; token?: string | null } = {}): Promise<Response> {
    const headers: Record<string, string> = { [PROTOCOL_HEADER]: '1', ...opts.headers }
    const token = opts.token === undefined ? this.token : opts.token
    if (token) headers.authorization = `Bearer ${token}`
    let body: Buffer | undefined = opts.body
    if (opts.json !== undefined) {
      body = Buffer.from(JSON.stringify(opts.json))
      headers['content-type'] = 'application/json'
    } else if (body && !headers['content-type']) headers['content-type'] = 'application/json'
    // An enrollment proves the key: signed by this device unless the test says otherwise.
    if (path === '/v1/enroll' && body && !(SIGNATURE_HEADER in headers)) headers[SIGNATURE_HEADER] = this.sign(body)
    return fetch(`${this.url}${path}`, { method, headers, ...(body ? { body: new Uint8Array(body) } : {}) })
  }
}
