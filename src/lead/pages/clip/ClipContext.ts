import { createContext, useContext } from 'react'
import type { Locale, Policy } from '../../../shared/policy'

/** What the parts of the clip page share: names in the lead's language, and seeking the video. */
export interface ClipPageContext {
  policy: Policy
  locale: Locale
  seek(ms: number): void
}

export const ClipContext = createContext<ClipPageContext | null>(null)

export function useClipContextOrThrow(): ClipPageContext {
  const c = useContext(ClipContext)
  if (!c) throw new Error('a clip page part outside the clip page')
  return c
}
