import { useEffect, useState } from 'react'
import type { TinjauApi } from '../../shared/contract'
import type { ClipMatches } from '../../shared/known-content'

/** While the clip's own hashing is still to come, ask again this often. */
const RECHECK_MS = 3_000

/**
 * The known footage the open clip matches (issue 14), asked for once per clip and shared by
 * the known-content panel and the clip's protection, so a match to a protected decision
 * protects the clip from its first frame without a second call. Asked again while the clip
 * waits to be hashed, and after a decision, a sync, new match settings or an import (a pack,
 * or a hash list imported or removed).
 */
export function useClipMatches(api: TinjauApi, clipId: string | null): ClipMatches | null {
  const [state, setState] = useState<{ clipId: string; result: ClipMatches } | null>(null)
  useEffect(() => {
    if (!clipId) return
    let stop = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const ask = async () => {
      clearTimeout(timer)
      try {
        const result = await api.call('clip.matches', { clipId })
        if (stop) return
        setState((s) => (s?.clipId === clipId && JSON.stringify(s.result) === JSON.stringify(result) ? s : { clipId, result }))
        if (result.hashing === 'waiting') timer = setTimeout(() => void ask(), RECHECK_MS)
      } catch {
        // Matching is help, not a gate: an error leaves the clip as it is, without the panel.
      }
    }
    void ask()
    const off = api.on('queue.changed', ({ reason }) => {
      // 'import': a pack or a hash list was imported, or a hash list removed.
      if (reason === 'decision' || reason === 'sync' || reason === 'settings' || reason === 'import') void ask()
    })
    return () => {
      stop = true
      clearTimeout(timer)
      off()
    }
  }, [api, clipId])
  return clipId !== null && state?.clipId === clipId ? state.result : null
}
