import { parentPort } from 'node:worker_threads'
import { FileWriter, type FileJob } from './dsa-file-job'

/**
 * Worker thread of a DSA export: checks each file's statements against the schema and
 * writes the file (dsa-file-job.ts). Built as its own entry (out/main/dsa-worker.js); see
 * dsa-pool.ts for how it is found and started.
 */

const port = parentPort
if (!port) throw new Error('dsa-worker runs as a worker thread only')
const writer = new FileWriter()
port.on('message', (job: FileJob) => {
  let outcome
  try {
    outcome = writer.run(job)
  } catch (err) {
    outcome = { index: job.index, error: err instanceof Error ? err.message : String(err) }
  }
  port.postMessage(outcome)
})
port.postMessage({ ready: true })
