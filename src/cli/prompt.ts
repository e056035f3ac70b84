import readline from 'node:readline'
import { Writable } from 'node:stream'

/**
 * Asking the person at the terminal: a line of text, or a passphrase that is not echoed.
 * The question goes to `output` (stderr, so stdout stays clean for --json); while the
 * answer is typed, readline's echo goes into a muted stream.
 */

export type Ask = (question: string, opts: { hidden: boolean }) => Promise<string>

/** Ctrl+C or end of input at a prompt: nothing was answered. */
export class PromptCancelled extends Error {
  constructor() {
    super('no answer was given (cancelled at the prompt)')
    this.name = 'PromptCancelled'
  }
}

export function terminalAsk(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Ask {
  return (question, { hidden }) =>
    new Promise<string>((resolve, reject) => {
      let muted = false
      const sink = new Writable({
        write(chunk: Buffer | string, _enc, done) {
          if (!muted) output.write(chunk)
          done()
        },
      })
      const rl = readline.createInterface({ input, output: sink, terminal: true, historySize: 0 })
      let answered = false
      rl.on('SIGINT', () => rl.close())
      rl.on('close', () => {
        if (hidden) output.write('\n')
        if (!answered) reject(new PromptCancelled())
      })
      rl.question(question, (answer) => {
        answered = true
        resolve(answer)
        rl.close()
      })
      // The question is out; what is typed from now on is not shown.
      muted = hidden
    })
}
