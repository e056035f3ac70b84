import { parentPort } from 'node:worker_threads'
import { ServerError } from '../errors'
import { StatementChunks } from './dsa-statement-chunks'
import type { MapperReply, MapperRequest } from './dsa-statement-thread'

/**
 * Worker thread of the service's DSA export: maps, checks and encodes each chunk of
 * outcomes it is sent (dsa-statement-chunks.ts), answering in the order sent, while the
 * export's own thread reads the next chunk and records the last. Built as its own entry
 * (out/main/dsa-statement-worker.js); see dsa-statement-thread.ts for how it is started.
 */

const port = parentPort
if (!port) throw new Error('dsa-statement-worker runs as a worker thread only')
let chunks: StatementChunks | null = null
port.on('message', (m: MapperRequest) => {
  try {
    if (m.kind === 'start') {
      chunks = new StatementChunks(m.policy, m.sinceLast)
      port.postMessage({ kind: 'started' } satisfies MapperReply)
    } else if (!chunks) {
      throw new Error('a chunk reached the DSA export worker before its run started')
    } else {
      const result = chunks.map(m.rows)
      // The encoded statements move to the export's thread; they are not copied.
      port.postMessage({ kind: 'chunk', result } satisfies MapperReply, [result.statements.bytes.buffer])
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err))
    const code = e instanceof ServerError ? e.code : undefined
    port.postMessage({ kind: 'failed', name: e.name, message: e.message, ...(code ? { code } : {}) } satisfies MapperReply)
  }
})
port.postMessage({ kind: 'ready' } satisfies MapperReply)
