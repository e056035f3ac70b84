import { terminalAsk, type Ask } from './prompt'

/**
 * What the CLI touches of its process, passed in so `main` runs in-process in tests:
 * output writers, environment, working folder, and (for `serve`) a stop signal.
 */
export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  env?: Record<string, string | undefined>
  cwd?: string
  /** Ends `tinjau serve` like SIGINT does. */
  signal?: AbortSignal
  /** The built renderer `serve` hands out (default: <package root>/out/renderer). */
  rendererDir?: string
  /** stderr is a terminal: progress is redrawn in place rather than logged line by line. */
  stderrIsTerminal?: boolean
  /** Ask the person at the terminal (absent when stdin is not a terminal: then nothing is asked). */
  ask?: Ask
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stderrIsTerminal: process.stderr.isTTY === true,
    ...(process.stdin.isTTY === true ? { ask: terminalAsk(process.stdin, process.stderr) } : {}),
  }
}
