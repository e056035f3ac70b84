import { useEffect, useState } from 'react'
import { preload } from 'react-dom'
import type { ClipDetail } from '../../shared/domain'
import { useApi } from '../api/api-context'

interface Props {
  /** The clip the reviewer will most likely open next (null: nothing to prefetch). */
  clipId: string | null
  /** Its details, once fetched, so opening it needs no round trip. */
  onDetail?: (clip: ClipDetail) => void
}

/**
 * Prefetches the next clip's media so opening it is instant: a hidden, muted
 * `<video preload="auto">` (Chromium ignores `<link rel="preload" as="video">`) and a
 * preload of its poster (react-dom's `preload`). Media URLs are immutable and cacheable, so the clip's own
 * `<video>` is then served from the cache.
 */
export function PrefetchClip({ clipId, onDetail }: Props) {
  const api = useApi()
  const [urls, setUrls] = useState<{ clipId: string; media: string; poster: string | null } | null>(null)

  useEffect(() => {
    if (!clipId) return
    let cancelled = false
    api.call('clip.get', { clipId }).then(
      (c) => {
        if (cancelled) return
        onDetail?.(c)
        setUrls({ clipId, media: api.mediaUrl(c.media.sha256), poster: c.poster ? api.mediaUrl(c.poster.sha256) : null })
      },
      () => undefined, // a prefetch that fails costs nothing: the clip loads when opened
    )
    return () => {
      cancelled = true
    }
    // onDetail is left out on purpose: a new callback must not fetch the clip again.
  }, [api, clipId])

  if (!urls || urls.clipId !== clipId) return null
  if (urls.poster) preload(urls.poster, { as: 'image' })
  return (
    <div hidden aria-hidden="true" data-testid="prefetch" data-clip-id={urls.clipId}>
      <video key={urls.media} src={urls.media} preload="auto" muted tabIndex={-1} />
    </div>
  )
}
