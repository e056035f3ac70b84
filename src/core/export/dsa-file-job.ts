import { closeSync, openSync, writeSync } from 'node:fs'
import { DsaStatement } from '../../shared/dsa-statement'

/**
 * One statement file's last steps: every statement checked against the DSA schema, then the
 * file written under its staging name. The same function runs in the export's worker thread
 * (dsa-worker.ts), which takes the schema checks (the largest single cost of an export) off
 * the thread that reads and maps the decisions, or on that thread when no worker can start.
 */

export interface FileJob {
  index: number
  /** Where to write the file (a hidden staging name in the output folder). */
  path: string
  /** The decision each statement is for, for the error message. */
  decisionIds: string[]
  /** Each statement as JSON text. */
  statements: string[]
}

export type FileOutcome = { index: number; error: null } | { index: number; error: string }

const FILE_START = '{"statements":['
const FILE_END = ']}\n'

/** Checks and writes one file; `buffer` is reused from call to call (fresh memory is dear here). */
export class FileWriter {
  private buffer = Buffer.allocUnsafe(1024 * 1024)

  run(job: FileJob): FileOutcome {
    for (let i = 0; i < job.statements.length; i++) {
      const result = DsaStatement.safeParse(JSON.parse(job.statements[i] as string))
      if (!result.success) {
        const why = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')
        return { index: job.index, error: `the DSA statement for decision ${job.decisionIds[i]} breaks the schema: ${why}` }
      }
    }
    const length = this.encode(job.statements)
    const fd = openSync(job.path, 'wx')
    try {
      for (let done = 0; done < length; ) done += writeSync(fd, this.buffer, done, length - done)
    } finally {
      closeSync(fd)
    }
    return { index: job.index, error: null }
  }

  /**
   * The file's bytes, `{"statements":[…]}` and a newline, exactly as JSON.stringify would
   * give them, written piece by piece: a file's text as one string is ~200 kB, which V8
   * keeps outside its young heap and maps fresh memory for, every time.
   */
  private encode(statements: string[]): number {
    let at = this.buffer.write(FILE_START, 0, 'latin1')
    statements.forEach((text, i) => {
      // At most 3 bytes per UTF-16 unit, the comma, and room for the end.
      const need = at + text.length * 3 + 1 + FILE_END.length
      if (need > this.buffer.length) {
        const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, need))
        this.buffer.copy(bigger, 0, 0, at)
        this.buffer = bigger
      }
      if (i > 0) at += this.buffer.write(',', at, 'latin1')
      at += this.buffer.write(text, at, 'utf8')
    })
    return at + this.buffer.write(FILE_END, at, 'latin1')
  }
}
