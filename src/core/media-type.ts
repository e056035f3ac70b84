/**
 * Mime types a host may send for a media object. Packs can only declare the field pack's
 * list, but a row could come from elsewhere (a later pack version, a sync): anything not
 * plainly audio, video or a raster image is served as an opaque download type, so no
 * media object can be rendered as a document or a script.
 */
export function servableMediaType(mime: string | null | undefined): string {
  if (!mime) return 'application/octet-stream'
  const m = mime.trim().toLowerCase()
  if (/^(video|audio)\/[a-z0-9][a-z0-9.+-]*$/.test(m)) return m
  if (/^image\/(png|jpeg|gif|webp|avif)$/.test(m)) return m
  return 'application/octet-stream'
}
