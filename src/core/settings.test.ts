import { afterEach, describe, expect, test } from 'vitest'
import { dispatch } from '../shared/dispatch'
import { TinjauError } from '../shared/errors'
import { MATCHING_DEFAULTS } from '../shared/known-content'
import { DEFAULT_WELLNESS, type WellnessSettings } from '../shared/wellness'
import { DEFAULT_IMPORT_SETTINGS, getImportSettings, getWellness, setSetting, setTrustedIssuerKeys } from './settings'
import { openTestTinjau } from './testing/open-test-tinjau'
import { snapshotRows } from './testing/store-snapshot'
import type { Tinjau } from './tinjau'

let open: (Tinjau & { dataDir: string })[] = []
afterEach(() => {
  for (const t of open) t.close()
  open = []
})

function profile(dataDir?: string) {
  const t = openTestTinjau(dataDir)
  open.push(t)
  return t
}

describe('wellness settings', () => {
  test('start at the defaults: blur, grayscale and mute on, a break after 50 minutes', () => {
    const t = profile()
    expect(t.handlers['settings.get']({})).toEqual({ locale: 'en', wellness: DEFAULT_WELLNESS, matching: MATCHING_DEFAULTS, idleLock: { minutes: 15 } })
    expect(DEFAULT_WELLNESS).toEqual({ blur: true, grayscale: true, mute: true, breakAfterMinutes: 50 })
  })

  test('round-trip, and survive closing and reopening the profile', () => {
    const t = profile()
    const mine: WellnessSettings = { blur: true, grayscale: false, mute: false, breakAfterMinutes: 30 }
    expect(t.handlers['settings.setWellness'](mine)).toEqual(mine)
    t.handlers['settings.setLocale']({ locale: 'id' })
    const matching = { distanceTolerance: 24, qualityTolerance: 60, queryMatchPercent: 90, comparedMatchPercent: 10 }
    expect(t.handlers['settings.setMatching'](matching)).toEqual(matching)
    expect(t.handlers['settings.setIdleLock']({ minutes: 5 })).toEqual({ minutes: 5 })
    expect(t.handlers['settings.get']({})).toEqual({ locale: 'id', wellness: mine, matching, idleLock: { minutes: 5 } })
    t.close()
    open = []
    const again = profile(t.dataDir)
    expect(again.handlers['settings.get']({}).wellness).toEqual(mine)
    expect(again.handlers['settings.get']({}).matching).toEqual(matching)
    expect(again.handlers['settings.get']({}).idleLock).toEqual({ minutes: 5 })
  })

  test('an idle lock out of range is refused where it is wrong, and the setting stays', async () => {
    const t = profile()
    t.handlers['settings.setIdleLock']({ minutes: 30 })
    for (const bad of [{ minutes: -1 }, { minutes: 481 }, { minutes: 2.5 }, { minutes: '5' }, {}]) {
      const r = await dispatch(t.handlers, 'settings.setIdleLock', bad)
      expect(r.ok).toBe(false)
      if (!r.ok) expect(r.error).toMatchObject({ code: 'invalid_input', details: [{ path: 'minutes' }] })
    }
    expect(t.handlers['settings.get']({}).idleLock).toEqual({ minutes: 30 })
  })

  test('invalid values are refused with details and change nothing', async () => {
    const t = profile()
    t.handlers['settings.setWellness']({ blur: false, grayscale: true, mute: true, breakAfterMinutes: 45 })
    const rows = snapshotRows(t.store.sqlite)
    const bad: unknown[] = [
      { blur: false, grayscale: true, mute: true, breakAfterMinutes: 0 },
      { blur: false, grayscale: true, mute: true, breakAfterMinutes: 481 },
      { blur: false, grayscale: true, mute: true, breakAfterMinutes: 12.5 },
      { blur: 'yes', grayscale: true, mute: true, breakAfterMinutes: 45 },
      { blur: false, grayscale: true, mute: true },
      { blur: false, grayscale: true, mute: true, breakAfterMinutes: 45, extra: true },
    ]
    for (const payload of bad) {
      const r = await dispatch(t.handlers, 'settings.setWellness', payload)
      expect(r.ok, JSON.stringify(payload)).toBe(false)
      if (!r.ok) {
        expect(r.error.code).toBe('invalid_input')
        expect(r.error.details?.length).toBeGreaterThan(0)
      }
      // Core checks again when called directly.
      expect(() => t.handlers['settings.setWellness'](payload as WellnessSettings)).toThrow(TinjauError)
    }
    expect(snapshotRows(t.store.sqlite)).toEqual(rows)
  })

  test('a stored value that no longer parses reads as the defaults, a partial one is completed', () => {
    const t = profile()
    setSetting(t.store.sqlite, 'wellness', '{not json')
    expect(getWellness(t.store.sqlite)).toEqual(DEFAULT_WELLNESS)
    setSetting(t.store.sqlite, 'wellness', JSON.stringify({ breakAfterMinutes: 'soon' }))
    expect(getWellness(t.store.sqlite)).toEqual(DEFAULT_WELLNESS)
    setSetting(t.store.sqlite, 'wellness', JSON.stringify({ mute: false }))
    expect(getWellness(t.store.sqlite)).toEqual({ ...DEFAULT_WELLNESS, mute: false })
  })
})

describe('import settings', () => {
  const key = (fill: number) => `ed25519:${Buffer.alloc(32, fill).toString('base64')}`

  test('defaults: zip ratio 200:1, 2,000,000 zip entries, no trusted issuer keys (any issuer)', () => {
    const t = profile()
    expect(getImportSettings(t.store.sqlite)).toEqual(DEFAULT_IMPORT_SETTINGS)
    expect(DEFAULT_IMPORT_SETTINGS).toMatchObject({ maxZipRatio: 200, maxZipEntries: 2_000_000, trustedIssuerKeys: [] })
  })

  test('stored values are read; numbers that are not positive fall back to the defaults', () => {
    const t = profile()
    setSetting(t.store.sqlite, 'import.max_zip_ratio', '50')
    setSetting(t.store.sqlite, 'import.max_zip_entries', '-3')
    setSetting(t.store.sqlite, 'import.trusted_issuer_keys', JSON.stringify([key(1), key(2)]))
    expect(getImportSettings(t.store.sqlite)).toMatchObject({ maxZipRatio: 50, maxZipEntries: 2_000_000, trustedIssuerKeys: [key(1), key(2)] })
    setSetting(t.store.sqlite, 'import.trusted_issuer_keys', '')
    expect(getImportSettings(t.store.sqlite).trustedIssuerKeys).toEqual([])
  })

  test('trusted issuer keys that do not read as a list of keys fail closed: an error, never "trust anyone"', () => {
    const t = profile()
    for (const bad of ['not json', '{"keys":[]}', JSON.stringify(['ed25519:short']), JSON.stringify([key(1), 42]), JSON.stringify(`${key(1)}`)]) {
      setSetting(t.store.sqlite, 'import.trusted_issuer_keys', bad)
      let caught: unknown
      try {
        getImportSettings(t.store.sqlite)
      } catch (err) {
        caught = err
      }
      expect(caught, bad).toBeInstanceOf(TinjauError)
      expect((caught as TinjauError).code).toBe('invalid_input')
      expect((caught as TinjauError).message).toMatch(/^setting import\.trusted_issuer_keys must be a JSON array of "ed25519:<base64 of 32 bytes>" keys/)
    }
  })

  test('setTrustedIssuerKeys checks the keys before storing them', () => {
    const t = profile()
    expect(setTrustedIssuerKeys(t.store.sqlite, [key(7)])).toEqual([key(7)])
    expect(getImportSettings(t.store.sqlite).trustedIssuerKeys).toEqual([key(7)])
    expect(() => setTrustedIssuerKeys(t.store.sqlite, ['ed25519:nope'])).toThrow(TinjauError)
    expect(getImportSettings(t.store.sqlite).trustedIssuerKeys).toEqual([key(7)])
    expect(setTrustedIssuerKeys(t.store.sqlite, [])).toEqual([])
  })
})

