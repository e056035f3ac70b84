import { snapshotRows } from '../../core/testing/store-snapshot'
import { ensureTestProfileKey, openTestProfileReadonly, TEST_PASSPHRASE } from '../../core/testing/test-profile-key'
import type { CliIo } from '../io'
import { main } from '../program'
import { PromptCancelled } from '../prompt'

export interface TinjauRun {
  code: number
  stdout: string
  stderr: string
}

/**
 * Run `tinjau --data-dir <dataDir> <args>` in-process on a test profile; collect output and
 * exit code. A data dir with no profile yet gets its key file first (TEST_PASSPHRASE, cheap
 * scrypt: see core/testing/test-profile-key.ts), and the run gets TINJAU_PASSPHRASE, as a
 * script would.
 */
export async function tinjau(dataDir: string, ...args: string[]): Promise<TinjauRun> {
  await ensureTestProfileKey(dataDir)
  return runTinjau(['--data-dir', dataDir, ...args], { env: { TINJAU_PASSPHRASE: TEST_PASSPHRASE } })
}

/** Run `tinjau <argv>` in-process with nothing prepared: `io` says what the run sees (env, a terminal's `ask`). */
export async function runTinjau(argv: string[], io: Partial<CliIo> = {}): Promise<TinjauRun> {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: {},
    cwd: process.cwd(),
    ...io,
  })
  return { code, stdout, stderr }
}

/**
 * A terminal for `runTinjau`'s `ask`: answers in turn (a thrown PromptCancelled for null),
 * and the questions it was asked, with whether the answer was hidden.
 */
export function scriptedTerminal(answers: (string | null)[]) {
  const asked: { question: string; hidden: boolean }[] = []
  return {
    asked,
    ask: async (question: string, opts: { hidden: boolean }) => {
      asked.push({ question, hidden: opts.hidden })
      if (answers.length === 0) throw new Error(`unexpected question: ${question}`)
      const next = answers.shift()!
      if (next === null) throw new PromptCancelled()
      return next
    },
  }
}

/** Every row of every table of the profile (see store-snapshot.ts), read with a connection of its own (unlocked with the test passphrase). */
export function storeRows(dataDir: string): Record<string, unknown[]> {
  const sqlite = openTestProfileReadonly(dataDir)
  try {
    return snapshotRows(sqlite)
  } finally {
    sqlite.close()
  }
}

/** The ids of a `queue --json` page. */
export async function queueIds(dataDir: string, ...args: string[]): Promise<string[]> {
  const r = await tinjau(dataDir, 'queue', '--json', '--limit', '500', ...args)
  if (r.code !== 0) throw new Error(`queue ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return (JSON.parse(r.stdout) as { items: { id: string }[] }).items.map((i) => i.id)
}
