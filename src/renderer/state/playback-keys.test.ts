import { describe, expect, it } from 'vitest'
import policyJson from '../../../resources/policy/live-safety.json'
import { actionKeyMap, interpretKey, plainPress, PLAYBACK_KEYS } from './keys'
import { interpretPlaybackKey, PLAYBACK_BINDINGS, spaceIsTaken } from './playback-keys'

const press = plainPress

describe('playback keys', () => {
  it('maps the scheme', () => {
    expect(interpretPlaybackKey(press(' '))).toEqual({ type: 'togglePlay' })
    expect(interpretPlaybackKey(press('j'))).toEqual({ type: 'shuttle', step: -1 })
    expect(interpretPlaybackKey(press('K'))).toEqual({ type: 'pause' }) // Caps Lock
    expect(interpretPlaybackKey(press('l'))).toEqual({ type: 'shuttle', step: 1 })
    expect(interpretPlaybackKey(press(','))).toEqual({ type: 'frame', step: -1 })
    expect(interpretPlaybackKey(press('.'))).toEqual({ type: 'frame', step: 1 })
    expect(interpretPlaybackKey(press('['))).toEqual({ type: 'marker', step: -1 })
    expect(interpretPlaybackKey(press(']'))).toEqual({ type: 'marker', step: 1 })
    expect(interpretPlaybackKey(press('-'))).toEqual({ type: 'speed', step: -1 })
    expect(interpretPlaybackKey(press('<', { shiftKey: true }))).toEqual({ type: 'speed', step: -1 })
    expect(interpretPlaybackKey(press('='))).toEqual({ type: 'speed', step: 1 })
    expect(interpretPlaybackKey(press('+', { shiftKey: true }))).toEqual({ type: 'speed', step: 1 })
    expect(interpretPlaybackKey(press('>', { shiftKey: true }))).toEqual({ type: 'speed', step: 1 })
    expect(interpretPlaybackKey(press('?', { shiftKey: true }))).toEqual({ type: 'help' })
  })

  it('stays out of text fields, modifiers and Shift+letters', () => {
    for (const target of [{ tag: 'INPUT', type: 'text' }, { tag: 'TEXTAREA' }, { tag: 'SELECT' }, { tag: 'DIV', editable: true }]) {
      expect(interpretPlaybackKey(press('j', { target }))).toBeNull()
      expect(interpretPlaybackKey(press('?', { target, shiftKey: true }))).toBeNull()
    }
    expect(interpretPlaybackKey(press('l', { ctrlKey: true }))).toBeNull()
    expect(interpretPlaybackKey(press('[', { metaKey: true }))).toBeNull()
    expect(interpretPlaybackKey(press('.', { altKey: true }))).toBeNull()
    expect(interpretPlaybackKey(press('L', { shiftKey: true }))).toBeNull()
    expect(interpretPlaybackKey(press('ArrowLeft'))).toBeNull()
  })

  it('leaves Space to buttons, links, boxes and queue rows, but takes it on the video and timeline', () => {
    for (const target of [{ tag: 'BUTTON' }, { tag: 'A' }, { tag: 'INPUT', type: 'checkbox' }, { tag: 'INPUT', type: 'radio' }, { tag: 'LI', role: 'option' }, { tag: 'SUMMARY' }]) {
      expect(spaceIsTaken(target)).toBe(true)
      expect(interpretPlaybackKey(press(' ', { target }))).toBeNull()
      expect(interpretPlaybackKey(press('j', { target }))).not.toBeNull() // letters still work there
    }
    expect(interpretPlaybackKey(press(' ', { target: { tag: 'VIDEO' } }))).toEqual({ type: 'togglePlay' })
    expect(interpretPlaybackKey(press(' ', { target: { tag: 'DIV', role: 'slider' } }))).toEqual({ type: 'togglePlay' })
    expect(interpretPlaybackKey(press(' ', { target: { tag: 'H2' } }))).toEqual({ type: 'togglePlay' })
    expect(interpretPlaybackKey(press(' ', { target: null }))).toEqual({ type: 'togglePlay' })
  })

  it('repeats frame steps while held, nothing else', () => {
    expect(interpretPlaybackKey(press('.', { repeat: true }))).toEqual({ type: 'frame', step: 1 })
    expect(interpretPlaybackKey(press('l', { repeat: true }))).toBeNull()
    expect(interpretPlaybackKey(press(' ', { repeat: true }))).toBeNull()
  })

  it('uses exactly the reserved playback keys, and never collides with the decision keys', () => {
    const bound = PLAYBACK_BINDINGS.flatMap((b) => b.keys)
    expect(new Set(bound).size).toBe(bound.length)
    expect([...bound].sort()).toEqual([...PLAYBACK_KEYS].sort())

    // A policy whose action keys clash with playback keys: playback wins, the action is not bound.
    const clash = actionKeyMap([
      { id: 'allow', key: 'a' },
      { id: 'jump', key: 'j' },
      { id: 'dot', key: '.' },
      { id: 'help', key: '?' },
    ])
    expect([...clash.keys()]).toEqual(['a'])
    for (const k of PLAYBACK_KEYS) expect(interpretKey(press(k), clash), k).toBeNull()

    // The default policy: every action key and every decision key is free of playback.
    const actions = (policyJson as { actions: { id: string; key: string }[] }).actions
    const keys = actionKeyMap(actions)
    expect(keys.size).toBe(actions.length)
    for (const k of [...keys.keys(), 'n', 'p', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
      expect(interpretPlaybackKey(press(k)), k).toBeNull()
    }
  })
})
