import type { SearchHint } from '../shared/domain'

/**
 * What a reviewer types into the search box, turned into an FTS5 MATCH expression that
 * SQLite cannot misread. The syntax is a small, forgiving subset of FTS5's own:
 *
 *   words            all of them, anywhere in title, transcript or chat (`bakar pasar`)
 *   "a phrase"       those words in that order
 *   word*            words starting with `word`
 *   OR, AND, NOT     upper case, between two terms (`bakar OR rusuh`, `demo NOT damai`)
 *   ( … )            grouping
 *
 * Every term reaches SQLite as a quoted string, so characters FTS5 would read as syntax
 * (`:`, `^`, `-`, `+`, NEAR, column names) are only text. What cannot be read (an open
 * quote, a lone operator, `*` alone or inside a word) is answered with a hint code and no
 * query: the queue then shows no results and the hint, never an error.
 */

export type ParsedSearch = { kind: 'empty' } | { kind: 'query'; match: string } | { kind: 'invalid'; hint: SearchHint }

type Token = { t: 'term'; text: string; prefix: boolean; phrase: boolean } | { t: 'op'; op: 'OR' | 'AND' | 'NOT' } | { t: 'open' } | { t: 'close' }

class Unreadable extends Error {
  constructor(readonly hint: SearchHint) {
    super(hint)
  }
}

/** A letter or a digit in any script: what unicode61 keeps as part of a token. */
const WORD_CHAR = /[\p{L}\p{N}]/u

function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const c = input[i]!
    if (/\s/u.test(c)) {
      i++
    } else if (c === '"') {
      const end = input.indexOf('"', i + 1)
      if (end === -1) throw new Unreadable('unbalanced_quotes')
      const text = input.slice(i + 1, end)
      i = end + 1
      const prefix = input[i] === '*'
      if (prefix) i++
      // An empty or punctuation-only phrase matches nothing FTS5 could index: leave it out.
      if (WORD_CHAR.test(text)) tokens.push({ t: 'term', text, prefix, phrase: true })
      else if (prefix) throw new Unreadable('bad_wildcard')
    } else if (c === '(') {
      tokens.push({ t: 'open' })
      i++
    } else if (c === ')') {
      tokens.push({ t: 'close' })
      i++
    } else {
      let end = i
      while (end < input.length && !/[\s"()]/u.test(input[end]!)) end++
      const word = input.slice(i, end)
      i = end
      if (word === 'OR' || word === 'AND' || word === 'NOT') {
        tokens.push({ t: 'op', op: word })
        continue
      }
      const stars = word.indexOf('*')
      const prefix = stars !== -1
      if (prefix && (stars !== word.length - 1 || !WORD_CHAR.test(word))) throw new Unreadable('bad_wildcard')
      const text = prefix ? word.slice(0, -1) : word
      // Punctuation alone ("-", "!!") has no token to match: dropped, as the tokenizer would.
      if (WORD_CHAR.test(text)) tokens.push({ t: 'term', text, prefix, phrase: false })
    }
  }
  return tokens
}

function quote(text: string): string {
  return `"${text.replaceAll('"', '""')}"`
}

/**
 * Recursive descent over: or := and (OR and)* ; and := not ((AND)? not)* ;
 * not := primary (NOT primary)* ; primary := term | ( or ). Output is fully parenthesised.
 */
class Parser {
  private pos = 0
  constructor(private readonly tokens: Token[]) {}

  parse(): string {
    const out = this.or()
    if (this.pos < this.tokens.length) {
      const rest = this.tokens[this.pos]!
      throw new Unreadable(rest.t === 'close' ? 'unbalanced_parentheses' : 'dangling_operator')
    }
    return out
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos]
  }

  private or(): string {
    const parts = [this.and()]
    while (this.peekOp('OR')) {
      this.pos++
      parts.push(this.and())
    }
    return parts.length === 1 ? parts[0]! : `(${parts.join(' OR ')})`
  }

  private and(): string {
    const parts = [this.not()]
    for (;;) {
      const next = this.peek()
      if (next?.t === 'op' && next.op === 'AND') {
        this.pos++
        parts.push(this.not())
      } else if (next && (next.t === 'term' || next.t === 'open')) {
        parts.push(this.not())
      } else break
    }
    return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`
  }

  private not(): string {
    let left = this.primary()
    while (this.peekOp('NOT')) {
      this.pos++
      left = `(${left} NOT ${this.primary()})`
    }
    return left
  }

  private primary(): string {
    const tok = this.peek()
    if (!tok) throw new Unreadable('dangling_operator')
    if (tok.t === 'term') {
      this.pos++
      return tok.prefix ? `${quote(tok.text)}*` : quote(tok.text)
    }
    if (tok.t === 'open') {
      this.pos++
      if (this.peek()?.t === 'close') throw new Unreadable('no_terms')
      const inner = this.or()
      if (this.peek()?.t !== 'close') throw new Unreadable('unbalanced_parentheses')
      this.pos++
      return inner
    }
    throw new Unreadable(tok.t === 'close' ? 'unbalanced_parentheses' : 'dangling_operator')
  }

  private peekOp(op: 'OR' | 'AND' | 'NOT'): boolean {
    const next = this.peek()
    return next?.t === 'op' && next.op === op
  }
}

export function parseSearch(input: string | undefined): ParsedSearch {
  if (input === undefined || input.trim() === '') return { kind: 'empty' }
  try {
    const tokens = tokenize(input)
    if (!tokens.some((t) => t.t === 'term')) throw new Unreadable(tokens.some((t) => t.t === 'op') ? 'dangling_operator' : 'no_terms')
    return { kind: 'query', match: new Parser(tokens).parse() }
  } catch (err) {
    if (err instanceof Unreadable) return { kind: 'invalid', hint: err.hint }
    throw err
  }
}
