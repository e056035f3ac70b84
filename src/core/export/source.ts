import type Database from 'better-sqlite3'
import type { Policy } from '../../shared/policy'
import type { ManifestStore } from '../manifest-store'
import type { Identity } from '../settings'

/** What an export reads from an open profile (a `Tinjau` has all of it: `store.sqlite`, `manifests`, `policy`, `identity`). */
export interface ExportSource {
  sqlite: Database.Database
  /** A read-only connection of the export's own (see Store.openReader). */
  openReader: () => Database.Database
  manifests: ManifestStore
  policy: Policy
  identity: Identity
}

export function exportSource(t: { store: { sqlite: Database.Database; openReader: () => Database.Database }; manifests: ManifestStore; policy: Policy; identity: Identity }): ExportSource {
  return { sqlite: t.store.sqlite, openReader: t.store.openReader, manifests: t.manifests, policy: t.policy, identity: t.identity }
}

/** Where a clip's JSON is: a byte range of a stored pack.json, or the row itself (see manifest-store.ts). */
export interface ClipJsonRef {
  manifest_sha256: string | null
  json_offset: number | null
  json_length: number | null
  raw_json: string
}

export function inManifest(ref: ClipJsonRef): ref is ClipJsonRef & { manifest_sha256: string; json_offset: number; json_length: number } {
  return ref.manifest_sha256 !== null && ref.json_offset !== null && ref.json_length !== null
}

/** The clip's bytes exactly as its pack gave them. */
export function clipBytes(manifests: ManifestStore, ref: ClipJsonRef): Buffer {
  return inManifest(ref) ? manifests.read(ref.manifest_sha256, ref.json_offset, ref.json_length) : Buffer.from(ref.raw_json, 'utf8')
}
