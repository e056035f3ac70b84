import { describe, expect, it } from 'vitest'
import policyJson from '../../../resources/policy/live-safety.json'
import en from '../i18n/en.json'
import id from '../i18n/id.json'
import { actionKeyMap, interpretKey } from './keys'
import { keyHelpSections, keyLabel, SPACE } from './key-help'
import { interpretPlaybackKey, PLAYBACK_BINDINGS } from './playback-keys'
import { sliderKeyTarget } from './playback'

const actions = (policyJson as { actions: { id: string; key: string }[] }).actions

describe('the ? overlay', () => {
  const sections = keyHelpSections(actions)
  const rows = sections.flatMap((s) => s.rows)

  it('lists what each key really does (fed to the same interpreters the handlers use)', () => {
    const actionKeys = actionKeyMap(actions)
    for (const row of rows) {
      expect(row.presses.length, row.id).toBeGreaterThan(0)
      for (const { press, effect } of row.presses) {
        if (effect.scheme === 'decision') expect(interpretKey(press, actionKeys), `${row.id} ${press.key}`).toEqual(effect.command)
        else if (effect.scheme === 'playback') expect(interpretPlaybackKey(press), `${row.id} ${press.key}`).toEqual(effect.command)
        else if (effect.scheme === 'check') expect(effect.check(press), row.id).toBe(true)
        else if (effect.control === 'timeline') expect(sliderKeyTarget(press.key, press.shiftKey, 5000, 60000), row.id).not.toBeNull()
      }
    }
  })

  it('lists every playback binding and every bound action key', () => {
    const listed = new Set(rows.flatMap((r) => r.presses.map((p) => p.press.key)))
    for (const b of PLAYBACK_BINDINGS) for (const k of b.keys) expect(listed.has(k), k).toBe(true)
    expect(rows.filter((r) => r.id === 'action').map((r) => r.actionId)).toEqual(actions.map((a) => a.id))
    expect(keyLabel(' ')).toBe(SPACE)
    expect(keyLabel('j')).toBe('J')
  })

  it('has the text of every row and section in English and Bahasa Indonesia', () => {
    for (const dict of [en, id] as any[]) {
      for (const s of sections) {
        expect(typeof dict.keyHelp.section[s.id], s.id).toBe('string')
        for (const r of s.rows) expect(typeof dict.keyHelp.row[r.id], r.id).toBe('string')
      }
      expect(typeof dict.keyHelp.keyName.space).toBe('string')
    }
  })
})
