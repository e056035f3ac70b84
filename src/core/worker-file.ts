import { existsSync } from 'node:fs'
import path from 'node:path'

/**
 * How core starts one of its worker threads: the built entry next to the bundle (out/main/
 * `<builtName>`, core itself may sit in out/main/chunks), or, when running from sources
 * (tests, benchmarks), the TypeScript file through tsx. Null when neither exists: callers
 * then do the work on their own thread.
 */
export function workerFile(fromDir: string, builtName: string, sourceName: string): { file: string; eval: boolean } | null {
  for (const dir of [fromDir, path.dirname(fromDir)]) {
    const built = path.join(dir, builtName)
    if (existsSync(built)) return { file: built, eval: false }
  }
  const source = path.join(fromDir, sourceName)
  if (existsSync(source)) {
    return { file: `require('tsx/cjs/api').register(); require(${JSON.stringify(source)})`, eval: true }
  }
  return null
}
