import { useEffect, useMemo, useState } from 'react'
import type { ClipFlag } from '../shared/domain'
import type { Policy } from '../shared/policy'
import type { WellnessSettings } from '../shared/wellness'
import { DEFAULT_WELLNESS } from '../shared/wellness-limits'
import { isRevealKey, keyPressOf } from './keys'
import { clickReveal, effectiveProtection, initialProtection, sensitiveCategories, toggleProtection, type Protection, type ProtectionKind } from './wellness'

/**
 * Protections of the clip on screen, for the reviewer's console and the lead's alike: reset
 * to the defaults whenever another clip opens; holding V (outside text fields) reveals it
 * while held, and leaving the window protects it again.
 */
export function useClipProtection(
  clipId: string | null,
  flags: readonly Pick<ClipFlag, 'label'>[],
  policy: Policy,
  settings: Pick<WellnessSettings, ProtectionKind>,
  settingsLoaded: boolean,
) {
  const sensitive = useMemo(() => (clipId ? sensitiveCategories(policy, flags) : []), [clipId, flags, policy])
  const isSensitive = sensitive.length > 0
  const defaults = useMemo(() => initialProtection(isSensitive, settings), [isSensitive, settings])
  const [state, setState] = useState<{ clipId: string | null; protection: Protection }>({ clipId: null, protection: defaults })
  const [held, setHeld] = useState(false)
  // Until the stored defaults are known, a sensitive clip is fully protected.
  const fallback = settingsLoaded ? defaults : initialProtection(isSensitive, DEFAULT_WELLNESS)
  const protection = state.clipId === clipId ? state.protection : fallback

  useEffect(() => {
    const down = (e: KeyboardEvent) => {
      if (e.defaultPrevented || !isRevealKey(keyPressOf(e))) return
      e.preventDefault()
      if (!e.repeat) setHeld(true)
    }
    const up = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() === 'v' || e.code === 'KeyV') setHeld(false)
    }
    const blur = () => setHeld(false)
    window.addEventListener('keydown', down)
    window.addEventListener('keyup', up)
    window.addEventListener('blur', blur)
    return () => {
      window.removeEventListener('keydown', down)
      window.removeEventListener('keyup', up)
      window.removeEventListener('blur', blur)
    }
  }, [])

  const toggle = (kind: ProtectionKind) => setState({ clipId, protection: toggleProtection(protection, kind) })
  const reveal = () => setState({ clipId, protection: clickReveal(protection, defaults) })
  return { sensitive, protection, effective: effectiveProtection(protection, held), held, toggle, reveal }
}

export type ClipProtection = ReturnType<typeof useClipProtection>
