import { useEffect } from 'react'
import { preload } from 'react-dom'
import type { ClipDetail } from '../../shared/domain'
import { useApi } from '../api/api-context'

interface Props {
  /** The clip the reviewer will most likely open next (null: nothing to prefetch). */
  clipId: string | null
  /** Its details, once fetched, so opening it needs no round trip (and ClipView loads its media in a hidden player). */
  onDetail?: (clip: ClipDetail) => void
}

/**
 * Prefetches the next clip: its details (handed to the workspace, which shows them at
 * once when the clip opens and gives its media to ClipView's hidden next player) and its
 * poster (react-dom's `preload`). Renders nothing.
 */
export function PrefetchClip({ clipId, onDetail }: Props) {
  const api = useApi()

  useEffect(() => {
    if (!clipId) return
    let cancelled = false
    api.call('clip.get', { clipId }).then(
      (c) => {
        if (cancelled) return
        if (c.poster) preload(api.mediaUrl(c.poster.sha256), { as: 'image' })
        onDetail?.(c)
      },
      () => undefined, // a prefetch that fails costs nothing: the clip loads when opened
    )
    return () => {
      cancelled = true
    }
    // onDetail is left out on purpose: a new callback must not fetch the clip again.
  }, [api, clipId])

  return null
}
