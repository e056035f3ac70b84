import { renderToStaticMarkup } from 'react-dom/server.browser'
import { I18nextProvider } from 'react-i18next'
import { describe, expect, it } from 'vitest'
import { Policy, type Locale } from '../../shared/policy'
import policyJson from '../../../resources/policy/live-safety.json'
import { createI18n } from '../i18n/i18n'
import { CategoryPicker } from './CategoryPicker'

/** The category quick picker, rendered to markup in both languages. */

const policy = Policy.parse(policyJson)
const noop = () => undefined
const render = (locale: Locale, selected: readonly string[] = [], initialQuery?: string) =>
  renderToStaticMarkup(
    <I18nextProvider i18n={createI18n(locale)}>
      <CategoryPicker policy={policy} locale={locale} selected={selected} onPick={noop} onClose={noop} initialQuery={initialQuery} />
    </I18nextProvider>,
  )

/** React escapes text and attributes; compare policy text the same way. */
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;')

/** The opening tag of the element with this data-testid. */
const tagOf = (html: string, testId: string) => html.match(new RegExp(`<[a-z]+ [^>]*data-testid="${testId}"[^>]*>`))?.[0] ?? ''
const attr = (tag: string, name: string) => tag.match(new RegExp(` ${name}="([^"]*)"`))?.[1]
/** Each option: its whole element (options hold no nested <li>). */
const options = (html: string) => [...html.matchAll(/<li [^>]*data-testid="category-picker-option"[^>]*>.*?<\/li>/g)].map((m) => m[0])
const helpOf = (html: string) => html.match(/<div [^>]*data-testid="category-picker-help"[^>]*>(.*?)<\/div>/)?.[1] ?? ''

describe('CategoryPicker (rendered to markup)', () => {
  it('is a labelled, autofocused combobox controlling a listbox of every category, the first highlighted', () => {
    const html = render('en')
    expect(tagOf(html, 'category-picker')).toContain('role="group"')
    const input = tagOf(html, 'category-picker-input')
    expect(attr(input, 'role')).toBe('combobox')
    expect(attr(input, 'aria-expanded')).toBe('true')
    expect(attr(input, 'aria-autocomplete')).toBe('list')
    expect(input).toContain('autofocus=""')
    // The label names the text box.
    expect(html).toMatch(new RegExp(`<label [^>]*for="${attr(input, 'id')}"[^>]*>Find a category</label>`))

    const listId = attr(input, 'aria-controls')!
    expect(html).toMatch(new RegExp(`<ul id="${listId}"[^>]*role="listbox"[^>]*aria-label="Matching categories"`))

    const opts = options(html)
    expect(opts.map((o) => attr(o, 'data-category-id'))).toEqual(policy.categories.map((c) => c.id))
    expect(opts.every((o) => attr(o, 'role') === 'option')).toBe(true)
    expect(opts.map((o) => attr(o, 'aria-selected'))).toEqual(policy.categories.map((_, i) => String(i === 0)))
    // The text box points at the highlighted (first) option.
    expect(attr(input, 'aria-activedescendant')).toBe(attr(opts[0]!, 'id'))
    // Each option shows its name and kind in the reviewer's language.
    const first = policy.categories[0]!
    expect(opts[0]).toContain(esc(first.name.en))
    expect(opts[0]).toContain('>Violation<')
    expect(opts.at(-1)).toContain('>No violation<')
  })

  it('shows the highlighted category’s help, name, kind and id in a polite live region', () => {
    const html = render('en')
    const first = policy.categories[0]!
    expect(tagOf(html, 'category-picker-help')).toContain('aria-live="polite"')
    const help = helpOf(html)
    expect(help).toContain(esc(first.help.en))
    expect(help).toContain(esc(first.name.en))
    expect(help).toContain('Violation')
    expect(help).toContain(`<code>${first.id}</code>`)
    // Only the highlighted one's help.
    expect(help).not.toContain(esc(policy.categories[1]!.help.en))
  })

  it('marks categories already in the decision, visibly and in words', () => {
    const html = render('en', ['violence.arson', 'hate'])
    const opts = options(html)
    const chosen = opts.filter((o) => o.includes('✓')).map((o) => attr(o, 'data-category-id'))
    expect(chosen).toEqual(['violence.arson', 'hate'])
    for (const o of opts) {
      const isChosen = o.includes('✓')
      expect(o.includes('<span class="visually-hidden"> (already chosen)</span>'), attr(o, 'data-category-id')).toBe(isChosen)
      expect(o.includes('is-chosen')).toBe(isChosen)
    }
    expect(helpOf(render('en', [policy.categories[0]!.id]))).toContain('already chosen')
    expect(helpOf(html)).not.toContain('already chosen') // the highlighted (first) one is not chosen
  })

  it('speaks Bahasa Indonesia: names, kinds, help and labels', () => {
    const html = render('id', ['violence.graphic'])
    const first = policy.categories[0]!
    expect(html).toContain('>Cari kategori</label>')
    expect(html).toContain('aria-label="Kategori yang cocok"')
    expect(html).toContain('placeholder="Ketik nama, kata, atau id"')
    const help = helpOf(html)
    expect(help).toContain(esc(first.help.id))
    expect(help).toContain(esc(first.name.id))
    expect(help).toContain('Pelanggaran')
    expect(help).toContain('sudah dipilih')
    const opts = options(html)
    expect(opts[0]).toContain(esc(first.name.id))
    expect(opts[0]).toContain('(sudah dipilih)')
    expect(opts.at(-1)).toContain('>Tidak melanggar<')
    expect(html).not.toContain(esc(first.help.en))
    expect(html).not.toMatch(/picker\./) // no missing translation shows its key
    expect(render('en')).not.toMatch(/picker\./)
  })

  it('filters by the query, best match first, and says when nothing matches', () => {
    const html = render('en', [], 'viol')
    expect(options(html).map((o) => attr(o, 'data-category-id'))).toEqual([
      'violence.graphic',
      'violence.incitement',
      'public_safety.coordination',
      'ok.other',
      'violence.arson',
      'public_safety.provocation',
    ])
    expect(attr(tagOf(html, 'category-picker-input'), 'value')).toBe('viol')
    expect(html).toContain('6 categories match')

    for (const [locale, text] of [
      ['en', 'No category matches “qqqxyz”.'],
      ['id', 'Tidak ada kategori yang cocok dengan “qqqxyz”.'],
    ] as const) {
      const none = render(locale, [], 'qqqxyz')
      expect(none).toContain(text)
      expect(options(none)).toEqual([])
      const input = tagOf(none, 'category-picker-input')
      expect(attr(input, 'aria-expanded')).toBe('false')
      expect(attr(input, 'aria-activedescendant')).toBeUndefined()
      expect(helpOf(none)).toBe('')
    }
  })
})
