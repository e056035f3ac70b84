import { createHash, type Hash } from 'node:crypto'
import { parentPort } from 'node:worker_threads'
import { compileFastCheck, processChunk, type ChunkJob } from './clip-chunk'
import type { WorkerRequest } from './parse-pool'

/**
 * Worker thread of a pack import. It starts while pack.json is still being read, so it gets
 * the file later: first a message with the bytes (shared memory, not a copy), then chunks of
 * clip ranges to parse and check (each answered with a ChunkResult) and, on one of the
 * workers, pieces of the file to hash in order (answered once, with the digest). Built as
 * its own entry (out/main/import-worker.js); see parse-pool.ts for how it is found and started.
 */

const port = parentPort
if (!port) throw new Error('parse-worker runs as a worker thread only')
let bytes: Uint8Array | null = null
let hash: Hash | null = null
compileFastCheck()
port.on('message', (message: WorkerRequest | ChunkJob) => {
  if ('bytes' in message) {
    bytes = message.bytes
    return
  }
  if (!bytes) throw new Error('work arrived before the pack')
  if ('hash' in message) {
    hash ??= createHash('sha256')
    hash.update(bytes.subarray(message.hash[0], message.hash[1]))
  } else if ('digest' in message) {
    port.postMessage({ digest: (hash ?? createHash('sha256')).digest('hex') })
    hash = null
  } else {
    port.postMessage(processChunk(bytes, message))
  }
})
port.postMessage({ ready: true })
