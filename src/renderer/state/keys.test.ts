import { describe, expect, it } from 'vitest'
import { actionKeyMap, categoryKeyHint, interpretKey, isCategoryPickerKey, plainPress, rangeEdgeOf } from './keys'

const keys = actionKeyMap([
  { id: 'allow', key: 'a' },
  { id: 'remove', key: 'r' },
  { id: 'clash', key: 'n' },
])
const press = plainPress

describe('keyboard scheme', () => {
  it('maps policy action keys, never over reserved keys', () => {
    expect(interpretKey(press('a'), keys)).toEqual({ type: 'action', id: 'allow' })
    expect(interpretKey(press('R', { shiftKey: true }), keys)).toBeNull() // Shift+letter is not the action
    expect(interpretKey(press('R'), keys)).toEqual({ type: 'action', id: 'remove' }) // Caps Lock is
    expect(interpretKey(press('n'), keys)).toEqual({ type: 'next' })
    expect(interpretKey(press('p'), keys)).toEqual({ type: 'prev' })
    expect(keys.has('n')).toBe(false)
  })

  it('digits toggle categories, Shift+digits the next nine, 0 switches group', () => {
    expect(interpretKey(press('1'), keys)).toEqual({ type: 'category', index: 0 })
    expect(interpretKey(press('9'), keys)).toEqual({ type: 'category', index: 8 })
    expect(interpretKey(press('!', { code: 'Digit1', shiftKey: true }), keys)).toEqual({ type: 'category', index: 9 })
    expect(interpretKey(press('0'), keys)).toEqual({ type: 'switchKind' })
    expect(categoryKeyHint(0)).toBe('1')
    expect(categoryKeyHint(10)).toBe('⇧2')
    expect(categoryKeyHint(18)).toBeNull()
  })

  it('leaves text fields alone', () => {
    for (const target of [{ tag: 'TEXTAREA' }, { tag: 'INPUT', type: 'text' }, { tag: 'INPUT', type: 'number' }, { tag: 'SELECT' }, { tag: 'DIV', editable: true }]) {
      expect(interpretKey(press('a', { target }), keys)).toBeNull()
      expect(interpretKey(press('1', { target }), keys)).toBeNull()
    }
    expect(interpretKey(press('a', { target: { tag: 'INPUT', type: 'checkbox' } }), keys)).toEqual({ type: 'action', id: 'allow' })
  })

  it('saves on Ctrl+Enter anywhere, on Enter where Enter means nothing else', () => {
    expect(interpretKey(press('Enter', { ctrlKey: true, target: { tag: 'TEXTAREA' } }), keys)).toEqual({ type: 'save' })
    expect(interpretKey(press('Enter', { metaKey: true }), keys)).toEqual({ type: 'save' })
    expect(interpretKey(press('Enter'), keys)).toEqual({ type: 'save' })
    expect(interpretKey(press('Enter', { target: { tag: 'INPUT', type: 'text' } }), keys)).toEqual({ type: 'save' })
    expect(interpretKey(press('Enter', { target: { tag: 'INPUT', type: 'radio' } }), keys)).toEqual({ type: 'save' })
    for (const target of [{ tag: 'TEXTAREA' }, { tag: 'BUTTON' }, { tag: 'A' }, { tag: 'SELECT' }, { tag: 'LI', role: 'option' }]) {
      expect(interpretKey(press('Enter', { target }), keys)).toBeNull()
    }
  })

  it('ignores other modifier combinations', () => {
    expect(interpretKey(press('a', { ctrlKey: true }), keys)).toBeNull()
    expect(interpretKey(press('1', { altKey: true }), keys)).toBeNull()
    expect(interpretKey(press('Enter', { shiftKey: true }), keys)).toBeNull()
  })

  it('I and O mark range edges and C opens the category picker, outside text fields and without modifiers; a policy cannot take them', () => {
    expect(rangeEdgeOf(press('i'))).toBe('in')
    expect(rangeEdgeOf(press('O'))).toBe('out') // Caps Lock
    expect(rangeEdgeOf(press('I', { shiftKey: true }))).toBeNull()
    expect(rangeEdgeOf(press('i', { ctrlKey: true }))).toBeNull()
    expect(rangeEdgeOf(press('o', { target: { tag: 'INPUT', type: 'text' } }))).toBeNull()
    expect(isCategoryPickerKey(press('c'))).toBe(true)
    expect(isCategoryPickerKey(press('c', { target: { tag: 'TEXTAREA' } }))).toBe(false)
    const clashing = actionKeyMap([
      { id: 'one', key: 'i' },
      { id: 'two', key: 'O' },
      { id: 'three', key: 'c' },
    ])
    expect(clashing.size).toBe(0)
  })
})
