import { existsSync } from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'

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

/**
 * Start the worker `workerFile` finds and wait for its first message (it posts one when its
 * code has loaded); null when there is none or it cannot start.
 */
export async function startWorker(fromDir: string, builtName: string, sourceName: string): Promise<Worker | null> {
  const spec = workerFile(fromDir, builtName, sourceName)
  if (!spec) return null
  let worker: Worker
  try {
    worker = new Worker(spec.file, { eval: spec.eval })
  } catch {
    return null
  }
  return new Promise((resolve) => {
    const fail = () => {
      void worker.terminate()
      resolve(null)
    }
    worker.once('error', fail)
    worker.once('exit', fail)
    worker.once('message', () => {
      worker.off('error', fail)
      worker.off('exit', fail)
      resolve(worker)
    })
  })
}
