import { describe, expect, it } from 'vitest'
import { Policy } from '../../shared/policy'
import policyJson from '../../../resources/policy/live-safety.json'
import { isPolicyPanelKey, isRevealKey, isSkipKey, interpretKey, actionKeyMap, RESERVED_KEYS, plainPress } from './keys'

const policy = Policy.parse(policyJson)

describe('wellness, skip and policy panel keys', () => {
  const press = plainPress
  const actionKeys = actionKeyMap(policy.actions)

  it('v reveals, s skips, Shift+P opens the policy panel', () => {
    expect(isRevealKey(press('v'))).toBe(true)
    expect(isRevealKey(press('V'))).toBe(true) // Caps Lock
    expect(isSkipKey(press('s'))).toBe(true)
    expect(isPolicyPanelKey(press('P', { shiftKey: true }))).toBe(true)
    expect(isPolicyPanelKey(press('p'))).toBe(false)
    expect(isRevealKey(press('V', { shiftKey: true }))).toBe(false)
    expect(isSkipKey(press('s', { ctrlKey: true }))).toBe(false)
  })

  it('stay out of text fields', () => {
    for (const target of [{ tag: 'TEXTAREA' }, { tag: 'INPUT', type: 'text' }, { tag: 'SELECT' }, { tag: 'DIV', editable: true }]) {
      expect(isRevealKey(press('v', { target }))).toBe(false)
      expect(isSkipKey(press('s', { target }))).toBe(false)
      expect(isPolicyPanelKey(press('P', { shiftKey: true, target }))).toBe(false)
    }
  })

  it('collide with no decision, navigation or playback key', () => {
    for (const k of ['v', 's']) {
      // Reserved, so a policy action that uses them gets no key: they never fire together.
      expect(RESERVED_KEYS.has(k)).toBe(true)
      expect(actionKeys.has(k)).toBe(false)
      expect(interpretKey(press(k), actionKeys)).toBeNull()
    }
    expect(interpretKey(press('P', { shiftKey: true }), actionKeys)).toBeNull()
    expect(policy.actions.map((a) => a.key.toLowerCase())).not.toContain('v')
    expect(policy.actions.map((a) => a.key.toLowerCase())).not.toContain('s')
  })
})
