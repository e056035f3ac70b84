/** The long 640×360 clips the hashing benches import, made from the demo videos with ffmpeg, and the host's hashing status. */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const RESOURCES = path.resolve(__dirname, '..', 'resources')

/** The demo pack's VP9 videos (15 of its 16; the other is H.264). */
export function demoVp9Videos(): string[] {
  const demoMedia = path.join(RESOURCES, 'demo', 'media')
  return readdirSync(demoMedia)
    .filter((d) => d !== 'posters')
    .flatMap((d) => readdirSync(path.join(demoMedia, d)).map((f) => path.join(demoMedia, d, f)))
    .filter((f) => f.endsWith('.webm'))
    .sort()
}

export interface MadeClip {
  file: string
  sha256: string
  bytes: number
  durationMs: number
}

/** Clips made so far: each gets its own file, as ffmpeg's Matroska muxer writes a random SegmentUID, so two joins of the same videos differ. */
let madeClips = 0

/**
 * The container of the benches' clips: BENCH_HASH_CONTAINER=mp4 re-encodes the joined VP9 to
 * H.264 in MP4 (libx264's defaults, so High profile with B-frames, 15 frames/s, a keyframe
 * every 2 s as the WebM clips; AAC sound), else WebM (the default).
 */
export type ClipContainer = 'webm' | 'mp4'
export const CLIP_CONTAINER: ClipContainer = process.env.BENCH_HASH_CONTAINER === 'mp4' ? 'mp4' : 'webm'

/** The demo's VP9 videos joined, starting at video `first`, as one WebM (stream copy) or MP4 (H.264, see CLIP_CONTAINER). */
export function makeClip(dir: string, videos: string[], first: number, container: ClipContainer = 'webm'): MadeClip {
  const order = [...videos.slice(first), ...videos.slice(0, first)]
  const n = madeClips++
  const list = path.join(dir, `list-${n}.txt`)
  writeFileSync(list, order.map((f) => `file '${f.replace(/'/g, "'\\''")}'`).join('\n'))
  const out = path.join(dir, `joined-${n}.${container}`)
  const codecs = container === 'mp4' ? ['-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '500k', '-r', '15', '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k'] : ['-c', 'copy']
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, ...codecs, out])
  const durationMs = Math.round(Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', out], { encoding: 'utf8' }).trim()) * 1000)
  const data = readFileSync(out)
  return { file: out, sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length, durationMs }
}

/**
 * A pack of the made clips, each the demo's first clip's metadata with its own media; then
 * `demoClips` more, the demo's clips repeated under new ids with the demo's media.
 */
export function writeHashingPack(packDir: string, made: MadeClip[], demoClips = 0): void {
  const demo = path.join(RESOURCES, 'demo')
  const manifest = JSON.parse(readFileSync(path.join(demo, 'pack.json'), 'utf8')) as { clips: Record<string, unknown>[] } & Record<string, unknown>
  cpSync(path.join(demo, 'media', 'posters'), path.join(packDir, 'media', 'posters'), { recursive: true })
  const base = manifest.clips[0]!
  const clips = made.map((m, i) => {
    const ext = path.extname(m.file)
    const rel = `media/${m.sha256.slice(0, 2)}/${m.sha256}${ext}`
    mkdirSync(path.join(packDir, path.dirname(rel)), { recursive: true })
    cpSync(m.file, path.join(packDir, rel))
    const segment = base.segment as { start_ms: number }
    return {
      ...base,
      id: `hash-bench-${String(i).padStart(3, '0')}`,
      media: { path: rel, sha256: m.sha256, bytes: m.bytes, mime: ext === '.mp4' ? 'video/mp4' : 'video/webm', duration_ms: m.durationMs, width: 640, height: 360 },
      segment: { start_ms: segment.start_ms, end_ms: segment.start_ms + m.durationMs },
      transcript: [],
      chat: [],
    }
  })
  if (demoClips > 0) cpSync(path.join(demo, 'media'), path.join(packDir, 'media'), { recursive: true })
  for (let i = 0; i < demoClips; i++) clips.push({ ...manifest.clips[i % manifest.clips.length]!, id: `hash-bench-demo-${String(i).padStart(4, '0')}` } as (typeof clips)[number])
  writeFileSync(path.join(packDir, 'pack.json'), JSON.stringify({ ...manifest, pack_id: 'pk-hashing-bench', clips }))
}

export interface Status {
  total: number
  hashed: number
  failed: number
  waiting: number
}

export async function hashStatus(url: string): Promise<Status> {
  const u = new URL(url)
  const key = u.searchParams.get('k')!
  const res = await fetch(`${u.origin}/api/hashes.status`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` }, body: '{}' })
  const body = (await res.json()) as { ok: boolean; value: Status }
  if (!body.ok) throw new Error(`hashes.status failed: ${JSON.stringify(body)}`)
  return body.value
}
