import type { ManifestStore } from '../manifest-store'
import { forEachClipJson } from './clip-json'
import { CLIP_FIELDS, mayHaveUnknownFields, unknownFields } from './extras'
import type { ClipJsonRef } from './source'

/**
 * The unknown fields (see extras.ts) of each clip that has any, by clip id. Only the clips
 * the byte scan flags are parsed: at 100,000 clips, parsing every clip took about as long
 * as the rest of an export.
 */
export function collectClipExtras(manifests: ManifestStore, refs: Map<string, ClipJsonRef>): Map<string, unknown> {
  const extras = new Map<string, unknown>()
  forEachClipJson(manifests, refs, (clipId, bytes, start, end) => {
    if (!mayHaveUnknownFields(bytes, CLIP_FIELDS, start, end)) return
    const extra = unknownFields(JSON.parse(bytes.toString('utf8', start, end)), CLIP_FIELDS)
    if (extra !== undefined) extras.set(clipId, extra)
  })
  return extras
}
