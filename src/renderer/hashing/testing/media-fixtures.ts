/**
 * The demuxer tests' media files (../fixtures, made by scripts/make-webm-fixtures.mjs and
 * make-mp4-fixtures.mjs), inlined by Vite so the renderer's tests need no Node built-ins,
 * and what ffprobe said of each.
 */
const urls = import.meta.glob<string>('../fixtures/*.{mp4,webm}', { query: '?inline', import: 'default', eager: true })

export function fixture(name: string): Uint8Array {
  const url = urls[`../fixtures/${name}`]
  if (!url) throw new Error(`no fixture ${name}`)
  const text = atob(url.slice(url.indexOf(',') + 1))
  return Uint8Array.from(text, (c) => c.charCodeAt(0))
}

export interface ProbedFile {
  durationMs: number
  /** In file (decode) order. */
  packets: { timestampUs: number; size: number; key: boolean }[]
}

/** One file's entry of an ffprobe JSON beside the fixtures. */
export function probedFile(probed: unknown, name: string): ProbedFile {
  const file = (probed as Record<string, ProbedFile | undefined>)[name]
  if (!file) throw new Error(`ffprobe said nothing of ${name}`)
  return file
}
