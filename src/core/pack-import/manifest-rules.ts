import type { PackClip, PackManifest } from '../../shared/field-pack'
import { packError } from './pack-errors'

/** Rules of field pack v1 that span fields, beyond what the schema says of each one. */

function where(index: number, clip: PackClip, field: string): string {
  return `clips[${index}] (id "${clip.id}") ${field}`
}

export function checkManifestRules(manifest: PackManifest): void {
  const ids = new Map<string, number>()
  const mediaByPath = new Map<string, string>()
  manifest.clips.forEach((clip, index) => {
    const first = ids.get(clip.id)
    if (first !== undefined) throw packError(`${where(index, clip, 'id')}: duplicate clip id, first used by clips[${first}]`)
    ids.set(clip.id, index)

    const isTimed = clip.media.mime.startsWith('video/') || clip.media.mime.startsWith('audio/')
    if (isTimed && clip.media.duration_ms === undefined) {
      throw packError(`${where(index, clip, 'media.duration_ms')}: required for audio and video`)
    }
    const duration = clip.media.duration_ms
    const within = (atMs: number | undefined, field: string) => {
      if (atMs !== undefined && duration !== undefined && atMs > duration) {
        throw packError(`${where(index, clip, field)}: ${atMs} ms is outside the clip (${duration} ms)`)
      }
    }
    clip.flags.forEach((f, i) => within(f.at_ms, `flags[${i}].at_ms`))
    clip.transcript?.forEach((t, i) => {
      within(t.at_ms, `transcript[${i}].at_ms`)
      within(t.end_ms, `transcript[${i}].end_ms`)
    })
    clip.chat?.forEach((c, i) => within(c.at_ms, `chat[${i}].at_ms`))

    for (const [field, ref] of [['media', clip.media], ['poster', clip.poster]] as const) {
      if (!ref) continue
      const known = mediaByPath.get(ref.path)
      if (known !== undefined && known !== `${ref.sha256}:${ref.bytes}`) {
        throw packError(`${where(index, clip, `${field}.path`)}: "${ref.path}" is declared elsewhere in the pack with another sha256 or size`)
      }
      mediaByPath.set(ref.path, `${ref.sha256}:${ref.bytes}`)
    }
  })
}
