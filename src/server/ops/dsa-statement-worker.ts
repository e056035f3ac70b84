import { parentPort } from 'node:worker_threads'
import { StatementChunks } from './dsa-statement-chunks'
import type { MapperReply, MapperRequest } from './dsa-statement-thread'

/**
 * Worker thread of the service's DSA export: maps, checks and encodes each chunk of
 * outcomes it is sent (dsa-statement-chunks.ts), in the order sent, while the export's own
 * thread reads the next chunk and records the last. Built as its own entry
 * (out/main/dsa-statement-worker.js); see dsa-statement-thread.ts for how it is started.
 */

const port = parentPort
if (!port) throw new Error('dsa-statement-worker runs as a worker thread only')
let chunks: StatementChunks | null = null
port.on('message', (m: MapperRequest) => {
  let reply: MapperReply
  try {
    if (m.kind === 'start') {
      chunks = new StatementChunks(m.policy, m.sinceLast)
      reply = { kind: 'started' }
    } else if (!chunks) {
      throw new Error('a chunk reached the DSA export worker before its run started')
    } else if (m.kind === 'chunk') {
      reply = { kind: 'chunk', result: chunks.map(m.rows) }
    } else {
      reply = { kind: 'finished', files: chunks.finish() }
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err))
    reply = { kind: 'failed', name: e.name, message: e.message }
  }
  port.postMessage(reply)
})
port.postMessage({ kind: 'ready' })
