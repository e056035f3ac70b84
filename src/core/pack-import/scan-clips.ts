/**
 * Find where each clip of pack.json starts and ends, without parsing it.
 *
 * A 100,000-clip pack.json is ~150 MB; one JSON.parse of it holds one thread for seconds
 * and gives no byte positions. Knowing each clip's byte range lets the importer parse and
 * check clips on several threads, start on the first clips while the rest of the file is
 * still being read, and keep each clip's exact JSON as a range into the stored pack.json
 * instead of a copy in SQLite.
 *
 * The scanner only tracks strings and bracket depth, so it knows the document's shape but
 * not its syntax; it reads bytes as they arrive (`feed`), keeping its state between calls.
 * What it finds is confirmed by JSON.parse of every clip and of the header. Whenever the
 * shape is anything but plain (no top-level "clips" array, a second "clips" key, a clip
 * that is not an object, anything but commas between clips) it fails, and the importer
 * parses the whole file the ordinary way, which also words the ordinary error.
 */

export interface ClipLayout {
  /** Offset of the `[` that opens the top-level "clips" array. */
  arrayStart: number
  /** Offset just past the `]` that closes it. */
  arrayEnd: number
  /** Start and end (exclusive) offset of each clip object, in order: [s0, e0, s1, e1, …]. */
  ranges: Float64Array
}

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COMMA = 0x2c
const COLON = 0x3a

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

/** Longest spelling of "clips" as a JSON string's content: every letter as a \uXXXX escape. */
const MAX_CLIPS_KEY_BYTES = 5 * 6

/** Whether the string token bytes[open..close] names the key "clips" (escapes decoded). */
function isClipsKey(bytes: Uint8Array, open: number, close: number): boolean {
  // Any longer key cannot be "clips"; it is skipped unread, however long it is.
  if (close - open - 1 > MAX_CLIPS_KEY_BYTES) return false
  return keyText(bytes, open, close) === 'clips'
}

/** The key named by the string token bytes[open..close], escapes decoded; null if not valid. */
function keyText(bytes: Uint8Array, open: number, close: number): string | null {
  let plain = true
  for (let i = open + 1; i < close; i++) {
    const c = bytes[i]!
    if (c === BACKSLASH || c >= 0x80 || c < 0x20) {
      plain = false
      break
    }
  }
  if (plain) return String.fromCharCode(...bytes.subarray(open + 1, close))
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(open, close + 1))) as string
  } catch {
    return null
  }
}

/** Where the clips array's scan stands between two clips. */
const enum Between {
  /** Just after `[`: a clip or `]`. */
  Open,
  /** After a clip: `,` or `]`. */
  AfterClip,
  /** After `,`: a clip. */
  AfterComma,
}

export class ClipScanner {
  private pos = 0
  private started = false
  private failed = false
  private depth = 0
  private inString = false
  private stringStart = -1
  /** A string that closed at depth 1 with only white space since: a key if a colon comes next. */
  private keyStart = -1
  private keyEnd = -1
  private awaitingArray = false
  private clipsDepth = -1
  private between = Between.Open
  private clipStart = -1
  private arrayStart = -1
  private arrayEnd = -1
  private topClosed = false
  private ranges = new Float64Array(4096)
  private count = 0

  constructor(private readonly bytes: Uint8Array) {}

  /** Clips whose ranges are known so far. */
  get clips(): number {
    return this.count / 2
  }

  /** Ranges of clips [from, to), as [start, end, …]. */
  rangesOf(from: number, to: number): Float64Array {
    return this.ranges.slice(2 * from, 2 * to)
  }

  /** Scan bytes up to `end` (exclusive); bytes before it must be final. */
  feed(end: number): void {
    if (this.failed) return
    const b = this.bytes
    let i = this.pos
    if (!this.started) {
      if (end < 3 && end < b.length) return
      this.started = true
      if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3
    }
    while (i < end) {
      if (this.inString) {
        // Jump to the next quote; it closes the string unless an odd run of backslashes precedes it.
        // Searched only up to `end`: past it the buffer may not be filled yet, and a search
        // through megabytes of zeros for every string cut by a piece's end was most of a
        // zip import's time (pack.json is inflated into the buffer piece by piece).
        const found = b.subarray(i, end).indexOf(QUOTE)
        const q = found < 0 ? -1 : i + found
        if (q < 0) {
          i = end
          break
        }
        let slashes = 0
        for (let k = q - 1; k > this.stringStart && b[k] === BACKSLASH; k--) slashes++
        i = q + 1
        if (slashes % 2 === 1) continue
        this.inString = false
        if (this.depth === 1) {
          this.keyStart = this.stringStart
          this.keyEnd = q
        }
        continue
      }
      const c = b[i]!
      if (this.clipsDepth >= 0 && this.depth > this.clipsDepth) {
        // Inside a clip, where nearly every byte outside strings is: brackets and quotes only.
        if (c === QUOTE) {
          this.inString = true
          this.stringStart = i
        } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
          this.depth++
        } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
          if (--this.depth === this.clipsDepth) {
            if (c !== CLOSE_OBJECT) {
              this.failed = true
              return
            }
            this.push(this.clipStart, i + 1)
            this.between = Between.AfterClip
          }
        }
        i++
        continue
      }
      if (isSpace(c)) {
        i++
        continue
      }
      if (this.topClosed || !this.step(c, i)) {
        this.failed = true
        return
      }
      i++
    }
    this.pos = i
  }

  /** One byte outside a string that is not white space; false when the shape is not plain. */
  private step(c: number, i: number): boolean {
    const keyStart = this.keyStart
    this.keyStart = -1
    if (this.awaitingArray) {
      if (c !== OPEN_ARRAY) return false
      this.awaitingArray = false
      this.depth++
      this.clipsDepth = this.depth
      this.arrayStart = i
      this.between = Between.Open
      return true
    }
    if (this.depth === 0) {
      if (c !== OPEN_OBJECT) return false
      this.depth = 1
      return true
    }
    if (this.depth === this.clipsDepth) {
      // Between clips: only `{`, `,` and `]`, in the right order.
      if (c === OPEN_OBJECT && this.between !== Between.AfterClip) {
        this.clipStart = i
        this.depth++
        return true
      }
      if (c === COMMA && this.between === Between.AfterClip) {
        this.between = Between.AfterComma
        return true
      }
      if (c === CLOSE_ARRAY && this.between !== Between.AfterComma) {
        this.depth--
        this.clipsDepth = -1
        this.arrayEnd = i + 1
        return true
      }
      return false
    }
    if (c === QUOTE) {
      this.inString = true
      this.stringStart = i
      return true
    }
    if (c === COLON) {
      if (this.depth === 1 && keyStart >= 0 && isClipsKey(this.bytes, keyStart, this.keyEnd)) {
        if (this.arrayStart >= 0) return false
        this.awaitingArray = true
      }
      return true
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      this.depth++
      return true
    }
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      this.depth--
      if (this.clipsDepth >= 0 && this.depth === this.clipsDepth) {
        if (c !== CLOSE_OBJECT) return false
        this.push(this.clipStart, i + 1)
        this.between = Between.AfterClip
      } else if (this.depth === 0) {
        this.topClosed = true
      } else if (this.depth < 0) {
        return false
      }
      return true
    }
    return true
  }

  private push(start: number, end: number): void {
    if (this.count + 2 > this.ranges.length) {
      const grown = new Float64Array(this.ranges.length * 2)
      grown.set(this.ranges)
      this.ranges = grown
    }
    this.ranges[this.count++] = start
    this.ranges[this.count++] = end
  }

  /** After the last byte: the layout, or null when the shape was not plain. */
  finish(): ClipLayout | null {
    if (this.failed || this.inString || !this.topClosed || this.arrayStart < 0 || this.arrayEnd < 0) return null
    return { arrayStart: this.arrayStart, arrayEnd: this.arrayEnd, ranges: this.ranges.slice(0, this.count) }
  }
}

export function scanClips(bytes: Uint8Array): ClipLayout | null {
  const scanner = new ClipScanner(bytes)
  scanner.feed(bytes.length)
  return scanner.finish()
}
