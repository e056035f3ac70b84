import { MAX_STATEMENTS_PER_CALL, type DsaStatement } from '../../shared/dsa-statement'

/**
 * A DSA export's statements as UTF-8 bytes, and its files made of them, 100 to a file: each
 * file is exactly `${JSON.stringify({ statements })}\n` in UTF-8. Each statement's JSON is
 * encoded once, where it is made (a worker thread, for a large run), into one buffer per
 * chunk; the files are then cut from the chunks in order, so the same statements make the
 * same files however the chunks were shared out. Made as one string per file instead
 * (~100 KB of two-byte text: every file holds a "–" or "…"), each was built from the
 * statements' strings, flattened and then measured and encoded again by the database driver:
 * ~2.5 s of an export of 100,000 statements, and much of its GC.
 */

/** A chunk's statements, one after another, and the offset where each ends. */
export interface EncodedStatements {
  bytes: Uint8Array<ArrayBuffer>
  ends: number[]
}

/** Encodes statements into a reused buffer; `take` copies out what was added since the last take. */
export class StatementEncoder {
  private scratch = Buffer.allocUnsafe(1 << 20)
  private at = 0
  private ends: number[] = []

  add(statement: DsaStatement): void {
    const json = JSON.stringify(statement)
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    const need = this.at + json.length * 3
    if (need > this.scratch.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, need))
      this.scratch.copy(bigger, 0, 0, this.at)
      this.scratch = bigger
    }
    this.at += this.scratch.write(json, this.at, 'utf8')
    this.ends.push(this.at)
  }

  /** A fresh array of its own (so it can move to another thread without a copy). */
  take(): EncodedStatements {
    const bytes = new Uint8Array(this.at)
    bytes.set(this.scratch.subarray(0, this.at))
    const out = { bytes, ends: this.ends }
    this.at = 0
    this.ends = []
    return out
  }
}

/** The run's files, from its chunks' statements given in order. */
export class StatementFiles {
  /** The open file's statements, as views into their chunks. */
  private open: Uint8Array[] = []

  /** The chunk's statements; returns the files they closed. */
  add(chunk: EncodedStatements): Buffer[] {
    const closed: Buffer[] = []
    let start = 0
    for (const end of chunk.ends) {
      this.open.push(chunk.bytes.subarray(start, end))
      start = end
      if (this.open.length === MAX_STATEMENTS_PER_CALL) closed.push(this.close())
    }
    return closed
  }

  /** The last file, when it holds any statement. */
  finish(): Buffer[] {
    return this.open.length > 0 ? [this.close()] : []
  }

  private close(): Buffer {
    const size = FILE_START.length + this.open.reduce((n, s) => n + s.length, 0) + (this.open.length - 1) + FILE_END.length
    const file = Buffer.allocUnsafe(size)
    let at = file.write(FILE_START, 0, 'latin1')
    this.open.forEach((s, i) => {
      if (i > 0) file[at++] = COMMA
      file.set(s, at)
      at += s.length
    })
    file.write(FILE_END, at, 'latin1')
    this.open = []
    return file
  }
}

const FILE_START = '{"statements":['
const FILE_END = ']}\n'
const COMMA = 0x2c
