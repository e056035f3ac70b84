import { describe, expect, it } from 'vitest'
import { Policy, type PolicyCategory } from '../../shared/policy'
import policyJson from '../../../resources/policy/live-safety.json'
import { plainPress } from './keys'
import {
  clampHighlight,
  INITIAL_PICKER,
  MATCH_RANK,
  matchCategories,
  matchRank,
  normalizeForMatch,
  pickerKeyCommand,
  pickerReducer,
  pickerView,
  type PickerState,
} from './category-picker'

const policy = Policy.parse(policyJson)
const ids = (locale: 'en' | 'id', query: string) => matchCategories(policy, locale, query).map((c) => c.id)

/** A policy of made-up categories, for ranking cases the shipped policy does not hold. */
function testPolicy(categories: { id: string; en: string; id_: string; help?: string; helpId?: string; kind?: PolicyCategory['kind'] }[]): Policy {
  return Policy.parse({
    id: 'test',
    version: '1',
    name: { en: 'Test', id: 'Uji' },
    categories: categories.map((c) => ({
      id: c.id,
      kind: c.kind ?? 'violation',
      name: { en: c.en, id: c.id_ },
      help: { en: c.help ?? 'Nothing here.', id: c.helpId ?? 'Tidak ada.' },
      dsa: null,
      blurByDefault: false,
    })),
    actions: [{ id: 'allow', name: { en: 'Allow', id: 'Izinkan' }, help: { en: 'Allow.', id: 'Izinkan.' }, allowedWith: 'either', rationaleRequired: false, dsa: null, key: 'a' }],
    escalationTargets: [],
  })
}

describe('normalizeForMatch', () => {
  it('drops case, diacritics and extra spaces', () => {
    expect(normalizeForMatch('  Ekspresí   DAMAI ')).toBe('ekspresi damai')
    expect(normalizeForMatch('Désinformation')).toBe('desinformation')
    expect(normalizeForMatch('ÀÉÎÕÜ ñ')).toBe('aeiou n')
  })
})

describe('matchCategories', () => {
  it('gives every category, in policy order (violations first), for a blank query', () => {
    const all = policy.categories.map((c) => c.id)
    expect(ids('en', '')).toEqual(all)
    expect(ids('id', '   ')).toEqual(all)
    // The shipped policy lists violations first; a blank query keeps that.
    const kinds = matchCategories(policy, 'en', '').map((c) => c.kind)
    expect(kinds.indexOf('no_violation')).toBeGreaterThan(kinds.lastIndexOf('violation'))
  })

  it('finds names in the reviewer’s language by prefix, the name prefix first', () => {
    expect(ids('en', 'hate')[0]).toBe('hate')
    // Both names start with "harm": policy order between them.
    expect(ids('en', 'harm').slice(0, 2)).toEqual(['misinformation', 'minors'])
    expect(matchRank(policy.categories.find((c) => c.id === 'minors')!, 'en', 'Harm')).toBe(MATCH_RANK.namePrefix)
  })

  it('finds the Indonesian name when the locale is id', () => {
    // "Kekerasan grafis" starts with it; "Hasutan kekerasan" and "Koordinasi aksi kekerasan"
    // have it as a word; the provocation's help only mentions it.
    expect(ids('id', 'kekerasan')).toEqual(['violence.graphic', 'violence.incitement', 'public_safety.coordination', 'public_safety.provocation'])
    expect(ids('id', 'doxing')).toEqual(['privacy.doxxing'])
    expect(ids('id', 'umkm')[0]).toBe('ok.commerce')
  })

  it('finds the other language’s name too, after the reviewer’s own', () => {
    // English UI, an Indonesian word of the name "Ajakan membakar atau merusak".
    expect(ids('en', 'merusak')).toEqual(['violence.arson'])
    // Indonesian UI, an English word of the name "Urging arson or destruction of property".
    expect(ids('id', 'arson')).toEqual(['violence.arson'])
    expect(matchRank(policy.categories.find((c) => c.id === 'violence.arson')!, 'id', 'arson')).toBe(MATCH_RANK.otherNameWord)
  })

  it('ignores case and diacritics, on both sides', () => {
    expect(ids('id', 'EKSPRESÍ')).toEqual(['ok.expression'])
    expect(ids('en', 'sará')).toEqual(ids('en', 'SARA'))
    expect(ids('en', 'sará')[0]).toBe('hate')
    const accented = testPolicy([
      { id: 'misinfo', en: 'Désinformation', id_: 'Disinformasi' },
      { id: 'other', en: 'Other', id_: 'Lain' },
    ])
    expect(matchCategories(accented, 'en', 'desinfo').map((c) => c.id)).toEqual(['misinfo'])
    expect(matchCategories(accented, 'en', 'DÉSINFO').map((c) => c.id)).toEqual(['misinfo'])
  })

  it('finds a category by its id, or a word of it', () => {
    // "doxx" is only in the id privacy.doxxing (the names say "personal data" / "doxing").
    expect(ids('en', 'doxx')).toEqual(['privacy.doxxing'])
    expect(ids('en', 'violence.ars')).toEqual(['violence.arson'])
    expect(ids('en', 'safety')).toEqual(['public_safety.provocation', 'public_safety.coordination'])
    // "viol": names with a word starting "viol" first, then violence.arson by its id, then a help text.
    expect(ids('en', 'viol')).toEqual([
      'violence.graphic',
      'violence.incitement',
      'public_safety.coordination',
      'ok.other',
      'violence.arson',
      'public_safety.provocation',
    ])
    expect(matchRank(policy.categories.find((c) => c.id === 'violence.arson')!, 'en', 'viol')).toBe(MATCH_RANK.idPrefix)
  })

  it('finds words of the help text', () => {
    expect(ids('en', 'giveaway')).toEqual(['commerce.fraud'])
    expect(ids('en', 'explosives')).toEqual(['commerce.prohibited'])
    expect(ids('id', 'narkoba')).toEqual(['commerce.prohibited'])
    expect(matchRank(policy.categories.find((c) => c.id === 'commerce.fraud')!, 'en', 'giveaway')).toBe(MATCH_RANK.help)
  })

  it('needs every word of the query to match (AND)', () => {
    expect(ids('en', 'live selling')).toEqual(['commerce.fraud', 'ok.commerce'])
    expect(ids('en', 'live scam')).toEqual(['commerce.fraud'])
    expect(ids('en', 'selling giveaways')).toEqual(['commerce.fraud']) // name + help
    expect(ids('en', 'live nonsenseword')).toEqual([])
    expect(ids('en', 'hate minors')).toEqual([])
  })

  it('ranks: name prefix > name word > other name > id > name substring > help; policy order within a rank', () => {
    const p = testPolicy([
      { id: 'help', en: 'Alpha', id_: 'Alfa', help: 'Says zeta inside.' },
      { id: 'sub', en: 'Megazeta', id_: 'Mega' },
      { id: 'zeta.by_id', en: 'Beta', id_: 'Beta' },
      { id: 'word', en: 'Big zeta party', id_: 'Pesta' },
      { id: 'other', en: 'Gamma', id_: 'Zetalain' },
      { id: 'prefix', en: 'Zeta first', id_: 'Pertama' },
      { id: 'prefix_two', en: 'Zetas second', id_: 'Kedua' },
      { id: 'none', en: 'Omega', id_: 'Omega' },
    ])
    expect(matchCategories(p, 'en', 'zeta').map((c) => c.id)).toEqual(['prefix', 'prefix_two', 'word', 'other', 'zeta.by_id', 'sub', 'help'])
    // In Indonesian, "Zetalain" is now the reviewer's own name: it comes first.
    expect(matchCategories(p, 'id', 'zeta')[0]?.id).toBe('other')
  })

  it('ranks a query that starts a name as a phrase above one matched word by word', () => {
    // "Harm to minors" starts with "harm to"; "Harmful false information" has "to" only in its help.
    expect(ids('en', 'harm to')).toEqual(['minors', 'misinformation'])
  })

  it('matches both kinds', () => {
    const kinds = new Set(matchCategories(policy, 'en', 'o').map((c) => c.kind))
    expect(kinds).toEqual(new Set(['violation', 'no_violation']))
  })
})

describe('pickerReducer', () => {
  const at = (highlighted: number, query = ''): PickerState => ({ query, highlighted })

  it('starts empty, and a new query highlights its first match', () => {
    expect(INITIAL_PICKER).toEqual({ query: '', highlighted: 0 })
    expect(pickerReducer(at(4), { type: 'setQuery', query: 'viol' }, 15)).toEqual({ query: 'viol', highlighted: 0 })
  })

  it('moves down and up, wrapping at both ends', () => {
    expect(pickerReducer(at(0), { type: 'move', by: 1 }, 3).highlighted).toBe(1)
    expect(pickerReducer(at(2), { type: 'move', by: 1 }, 3).highlighted).toBe(0)
    expect(pickerReducer(at(0), { type: 'move', by: -1 }, 3).highlighted).toBe(2)
    expect(pickerReducer(at(1), { type: 'move', by: -1 }, 3).highlighted).toBe(0)
  })

  it('goes to the first and the last match', () => {
    expect(pickerReducer(at(2), { type: 'first' }, 5).highlighted).toBe(0)
    expect(pickerReducer(at(0), { type: 'last' }, 5).highlighted).toBe(4)
  })

  it('stays at 0 with nothing to highlight', () => {
    for (const event of [{ type: 'move', by: 1 }, { type: 'move', by: -1 }, { type: 'first' }, { type: 'last' }] as const) {
      expect(pickerReducer(at(3, 'zzz'), event, 0).highlighted).toBe(0)
    }
  })

  it('clamps a highlight left out of range when the matches shrank, before moving', () => {
    // Highlight at 10 of 15; the list is now 3 long: it counts from the last (2).
    expect(pickerReducer(at(10), { type: 'move', by: -1 }, 3).highlighted).toBe(1)
    expect(pickerReducer(at(10), { type: 'move', by: 1 }, 3).highlighted).toBe(0)
    expect(pickerReducer(at(0), { type: 'highlight', index: 9 }, 3).highlighted).toBe(2)
    expect(pickerReducer(at(0), { type: 'highlight', index: 1 }, 3).highlighted).toBe(1)
    expect(clampHighlight(-4, 3)).toBe(0)
    expect(clampHighlight(7, 0)).toBe(0)
  })
})

describe('pickerView', () => {
  it('is the matches and the highlighted one', () => {
    const view = pickerView(policy, 'en', { query: 'live selling', highlighted: 1 })
    expect(view.matches.map((c) => c.id)).toEqual(['commerce.fraud', 'ok.commerce'])
    expect(view.highlighted).toBe(1)
    expect(view.current?.id).toBe('ok.commerce')
  })

  it('keeps the highlight in range when the matches shrink (another policy, another language)', () => {
    const state: PickerState = { query: '', highlighted: 14 }
    expect(pickerView(policy, 'en', state).current?.id).toBe('ok.other')
    const small = testPolicy([
      { id: 'a', en: 'A thing', id_: 'Hal A' },
      { id: 'b', en: 'B thing', id_: 'Hal B' },
    ])
    const view = pickerView(small, 'en', state)
    expect(view.highlighted).toBe(1)
    expect(view.current?.id).toBe('b')
  })

  it('has no current category when nothing matches', () => {
    const view = pickerView(policy, 'id', { query: 'qqqxyz', highlighted: 0 })
    expect(view.matches).toEqual([])
    expect(view.current).toBeNull()
  })
})

describe('pickerKeyCommand', () => {
  const input = { tag: 'INPUT', type: 'text' }
  const press = (key: string, over: Parameters<typeof plainPress>[1] = {}) => pickerKeyCommand(plainPress(key, { target: input, ...over }))

  it('moves with the arrows and goes to the ends with Ctrl (or Cmd) + Home / End', () => {
    expect(press('ArrowDown')).toEqual({ type: 'event', event: { type: 'move', by: 1 } })
    expect(press('ArrowUp')).toEqual({ type: 'event', event: { type: 'move', by: -1 } })
    expect(press('Home', { ctrlKey: true })).toEqual({ type: 'event', event: { type: 'first' } })
    expect(press('End', { metaKey: true })).toEqual({ type: 'event', event: { type: 'last' } })
  })

  it('leaves plain Home / End to the text box caret, and typing alone', () => {
    expect(press('Home')).toBeNull()
    expect(press('End')).toBeNull()
    expect(press('a')).toBeNull()
    expect(press('1')).toBeNull()
    expect(press(' ')).toBeNull()
  })

  it('picks on Enter and closes on Escape', () => {
    expect(press('Enter')).toEqual({ type: 'pick' })
    expect(press('Escape')).toEqual({ type: 'close' })
  })

  it('lets Ctrl+Enter / Cmd+Enter through to the form (its Save)', () => {
    expect(press('Enter', { ctrlKey: true })).toBeNull()
    expect(press('Enter', { metaKey: true })).toBeNull()
  })
})
