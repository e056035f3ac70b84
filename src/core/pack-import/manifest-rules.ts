import type { PackClip, PackManifest } from '../../shared/field-pack'
import { packError } from './pack-errors'

/**
 * Rules of field pack v1 that span fields, beyond what the schema says of each one. The
 * rules of one clip (checkClipRules) run wherever that clip is parsed, on any thread; the
 * rules across clips (PackWideRules) see every clip in document order on one thread, so
 * the first offending clip is the one named.
 */

function where(index: number, id: string, field: string): string {
  return `clips[${index}] (id "${id}") ${field}`
}

export function checkClipRules(clip: PackClip, index: number): void {
  const isTimed = clip.media.mime.startsWith('video/') || clip.media.mime.startsWith('audio/')
  if (isTimed && clip.media.duration_ms === undefined) {
    throw packError(`${where(index, clip.id, 'media.duration_ms')}: required for audio and video`)
  }
  const duration = clip.media.duration_ms
  if (duration === undefined) return
  const within = (atMs: number | undefined, field: string) => {
    if (atMs !== undefined && atMs > duration) throw packError(`${where(index, clip.id, field)}: ${atMs} ms is outside the clip (${duration} ms)`)
  }
  clip.flags.forEach((f, i) => within(f.at_ms, `flags[${i}].at_ms`))
  clip.transcript?.forEach((t, i) => {
    within(t.at_ms, `transcript[${i}].at_ms`)
    within(t.end_ms, `transcript[${i}].end_ms`)
  })
  clip.chat?.forEach((c, i) => within(c.at_ms, `chat[${i}].at_ms`))
}

export type MediaField = 'media' | 'poster'

/** A media file as one clip declares it. */
export interface MediaDeclaration {
  path: string
  sha256: string
  bytes: number
  mime: string
  index: number
  id: string
  field: MediaField
}

export class PackWideRules {
  private readonly ids = new Map<string, number>()
  private readonly mediaByPath = new Map<string, string>()

  id(id: string, index: number): void {
    const first = this.ids.get(id)
    if (first !== undefined) throw packError(`${where(index, id, 'id')}: duplicate clip id, first used by clips[${first}]`)
    this.ids.set(id, index)
  }

  /** Declarations must come in document order; a path declared twice must name the same file. */
  media(d: MediaDeclaration): void {
    const key = `${d.sha256}:${d.bytes}`
    const known = this.mediaByPath.get(d.path)
    if (known !== undefined && known !== key) {
      throw packError(`${where(d.index, d.id, `${d.field}.path`)}: "${d.path}" is declared elsewhere in the pack with another sha256 or size`)
    }
    this.mediaByPath.set(d.path, key)
  }
}

export function mediaDeclarations(clip: PackClip, index: number): MediaDeclaration[] {
  const out: MediaDeclaration[] = []
  for (const [field, ref] of [['media', clip.media], ['poster', clip.poster]] as const) {
    if (ref) out.push({ path: ref.path, sha256: ref.sha256, bytes: ref.bytes, mime: ref.mime, index, id: clip.id, field })
  }
  return out
}

/** Every rule, over a manifest parsed in one piece (the importer's fallback path). */
export function checkManifestRules(manifest: PackManifest): void {
  const wide = new PackWideRules()
  manifest.clips.forEach((clip, index) => {
    wide.id(clip.id, index)
    checkClipRules(clip, index)
    for (const d of mediaDeclarations(clip, index)) wide.media(d)
  })
}
