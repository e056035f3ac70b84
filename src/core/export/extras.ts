/**
 * The fields of a clip or pack header that field-pack v1 does not define. The spec says
 * such fields are kept and round-tripped in exports, never interpreted; a decision pack
 * carries exactly them (not the whole clip), in the same nesting, so a tool can merge them
 * back onto the clip it knows.
 */

/** Known keys; a nested tree describes an object's own known keys, `[tree]` each element of an array. */
type Known = true | { [key: string]: Known } | [Known]

const MEDIA: Known = { path: true, sha256: true, bytes: true, mime: true, duration_ms: true, width: true, height: true }
const TIMED: Known = { at_ms: true, end_ms: true, text: true }

export const CLIP_FIELDS: Known = {
  id: true,
  captured_at: true,
  media: MEDIA,
  poster: MEDIA,
  stream: { id: true, title: true, started_at: true, region: true, language: true, commerce: true, viewer_peak: true },
  account: { id: true, handle: true, display_name: true, type: true, followers: true, prior_strikes: true },
  segment: { start_ms: true, end_ms: true },
  flags: [{ source: true, label: true, score: true, at_ms: true, count: true, reference: true, due_at: true }],
  transcript: [TIMED],
  chat: [{ ...TIMED, author: true }],
  priority: true,
  due_at: true,
}

export const PACK_HEADER_FIELDS: Known = {
  format: true,
  version: true,
  pack_id: true,
  created_at: true,
  issuer: { name: true, public_key: true },
  policy: { id: true, version: true },
  clips: true,
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * `value` reduced to its unknown fields, or undefined when it has none. An array keeps its
 * length (elements without unknown fields become `{}`), so positions still line up.
 */
export function unknownFields(value: unknown, known: Known): unknown {
  if (known === true) return undefined
  if (Array.isArray(known)) {
    if (!Array.isArray(value)) return undefined
    const items = value.map((v) => unknownFields(v, known[0]))
    return items.some((i) => i !== undefined) ? items.map((i) => i ?? {}) : undefined
  }
  if (!isObject(value)) return undefined
  let out: Record<string, unknown> | undefined
  for (const [key, v] of Object.entries(value)) {
    const k = Object.hasOwn(known, key) ? known[key] : undefined
    const extra = k === undefined ? v : unknownFields(v, k)
    if (extra !== undefined) (out ??= {})[key] = extra
  }
  return out
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const COLON = 0x3a
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d

/** A known-field tree with each object's keys as bytes, so the scan compares keys without making strings. */
type Compiled = { kind: 'leaf' } | { kind: 'object'; keys: { bytes: Uint8Array; child: Compiled }[] } | { kind: 'array'; item: Compiled }

const compiledTrees = new WeakMap<object, Compiled>()
const LEAF: Compiled = { kind: 'leaf' }

function compile(known: Known): Compiled {
  if (known === true) return LEAF
  let c = compiledTrees.get(known)
  if (!c) {
    c = Array.isArray(known)
      ? { kind: 'array', item: compile(known[0]) }
      : { kind: 'object', keys: Object.entries(known).map(([k, v]) => ({ bytes: Buffer.from(k, 'utf8'), child: compile(v) })) }
    compiledTrees.set(known, c)
  }
  return c
}

/** The child tree of the key bytes[from, to) in `node`, or undefined when the key is not known there. */
function childOf(node: Extract<Compiled, { kind: 'object' }>, bytes: Uint8Array, from: number, to: number): Compiled | undefined {
  const len = to - from
  for (const k of node.keys) {
    if (k.bytes.length !== len) continue
    let j = 0
    while (j < len && k.bytes[j] === bytes[from + j]) j++
    if (j === len) return k.child
  }
  return undefined
}

/**
 * Whether the JSON text (valid, as every stored clip is) may have fields that `known` does
 * not define: a byte scan that finds every object key with its nesting, several times
 * faster than JSON.parse, so an export parses only the clips that do. "false" is certain;
 * "true" means parse and look (`unknownFields`), since a key written with escapes is not
 * decoded here. Works on UTF-8 bytes: quotes, backslashes and brackets are ASCII, and no
 * byte of a multi-byte character is.
 */
export function mayHaveUnknownFields(bytes: Uint8Array, known: Known, start = 0, end = bytes.length): boolean {
  // One entry per open container: what is known of it, or null when nothing inside counts
  // (a known leaf, an unknown field, or a container of another kind than the tree says).
  const open: (Compiled | null)[] = []
  // The tree of the value after the latest key of a checked object.
  let afterKey: Compiled | null = null
  const root = compile(known)
  for (let i = start; i < end; i++) {
    const c = bytes[i]
    if (c === QUOTE) {
      const from = i + 1
      let escaped = false
      for (i = from; i < end; i++) {
        const s = bytes[i]
        if (s === BACKSLASH) {
          escaped = true
          i++
        } else if (s === QUOTE) break
      }
      const node = open[open.length - 1]
      if (node === undefined || node === null || node.kind !== 'object') continue
      let j = i + 1
      while (j < end && (bytes[j] === 0x20 || bytes[j] === 0x0a || bytes[j] === 0x0d || bytes[j] === 0x09)) j++
      if (bytes[j] !== COLON) continue
      // A key written with escapes is not compared byte for byte: parse to be sure.
      if (escaped) return true
      const child = childOf(node, bytes, from, i)
      if (child === undefined) return true
      afterKey = child
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const parent = open[open.length - 1]
      let own: Compiled | null = null
      if (parent === undefined) own = root
      else if (parent !== null) own = parent.kind === 'array' ? parent.item : afterKey
      const kind = c === OPEN_ARRAY ? 'array' : 'object'
      open.push(own !== null && own.kind === kind ? own : null)
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      open.pop()
    }
  }
  return false
}
