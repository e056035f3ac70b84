import path from 'node:path'
import Database from 'better-sqlite3'
import { snapshotRows } from '../../core/testing/store-snapshot'
import { main } from '../program'

/** Run `tinjau --data-dir <dataDir> <args>` in-process; collect output and exit code. */
export async function tinjau(dataDir: string, ...args: string[]) {
  let stdout = ''
  let stderr = ''
  const code = await main(['--data-dir', dataDir, ...args], {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: {},
    cwd: process.cwd(),
  })
  return { code, stdout, stderr }
}

/** Every row of every table of the profile (see store-snapshot.ts), read with a connection of its own. */
export function storeRows(dataDir: string): Record<string, unknown[]> {
  const sqlite = new Database(path.join(dataDir, 'tinjau.sqlite'), { readonly: true })
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
