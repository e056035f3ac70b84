import { describe, expect, it } from 'vitest'
import { Policy } from '../shared/policy'
import { DEFAULT_WELLNESS } from '../shared/wellness'
import policyJson from '../../resources/policy/live-safety.json'
import {
  clickReveal,
  effectiveProtection,
  initialProtection,
  isProtected,
  NO_PROTECTION,
  protectionClassName,
  sensitiveCategories,
  toggleProtection,
} from './wellness'

const policy = Policy.parse(policyJson)
const flags = (...labels: string[]) => labels.map((label) => ({ label }))

describe('sensitive clips', () => {
  it('are those with a flag in a blur-by-default category; unknown labels do not count', () => {
    expect(sensitiveCategories(policy, flags('violence.arson', 'public_safety.coordination', 'violence.arson', 'violence.incitement'))).toEqual([
      'violence.arson',
      'violence.incitement',
    ])
    expect(sensitiveCategories(policy, flags('minors'))).toEqual(['minors'])
    expect(sensitiveCategories(policy, flags('commerce.fraud', 'hate', 'spam.engagement_bait'))).toEqual([])
    expect(sensitiveCategories(policy, [])).toEqual([])
  })

  it('open with the reviewer defaults; other clips open unprotected', () => {
    expect(initialProtection(true, DEFAULT_WELLNESS)).toEqual({ blur: true, grayscale: true, mute: true })
    expect(initialProtection(true, { ...DEFAULT_WELLNESS, grayscale: false, mute: false })).toEqual({ blur: true, grayscale: false, mute: false })
    expect(initialProtection(false, DEFAULT_WELLNESS)).toEqual(NO_PROTECTION)
  })
})

describe('protections', () => {
  it('toggle one at a time', () => {
    const p = initialProtection(true, DEFAULT_WELLNESS)
    expect(toggleProtection(p, 'blur')).toEqual({ blur: false, grayscale: true, mute: true })
    expect(toggleProtection(toggleProtection(p, 'mute'), 'mute')).toEqual(p)
    expect(isProtected(NO_PROTECTION)).toBe(false)
    expect(isProtected({ ...NO_PROTECTION, mute: true })).toBe(true)
  })

  it('a held reveal lifts all of them while it lasts, without changing the choice', () => {
    const p = { blur: true, grayscale: false, mute: true }
    expect(effectiveProtection(p, true)).toEqual(NO_PROTECTION)
    expect(effectiveProtection(p, false)).toBe(p)
  })

  it('the reveal button reveals, and protects again with the clip protections or the defaults', () => {
    const defaults = initialProtection(true, DEFAULT_WELLNESS)
    expect(clickReveal(defaults, defaults)).toEqual(NO_PROTECTION)
    expect(clickReveal(NO_PROTECTION, { blur: true, grayscale: false, mute: false })).toEqual({ blur: true, grayscale: false, mute: false })
    expect(clickReveal(NO_PROTECTION, NO_PROTECTION)).toEqual({ blur: true, grayscale: true, mute: true })
  })

  it('map to classes the stylesheet applies', () => {
    expect(protectionClassName({ blur: true, grayscale: true, mute: true })).toBe('wellness wellness-blur wellness-grayscale wellness-muted')
    expect(protectionClassName(NO_PROTECTION)).toBe('wellness')
  })
})
