/**
 * One instance of the sync service for bench/lead.bench.ts, in its own process: started by
 * `serve()` exactly as `tinjau-server serve` starts it (src/server/server.ts: the database
 * of DATABASE_URL, the default rate limit, the resources' policy), on a free port of
 * 127.0.0.1. Prints `{"url": …}` on one line once it listens; stops when told (SIGTERM, or
 * its parent closing stdin).
 *
 *   DATABASE_URL=postgres://… node --import tsx bench/lead-instance.ts <data-dir>
 */
import { serve } from '../src/server/server'

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL
  const dataDir = process.argv[2]
  if (!databaseUrl || !dataDir) throw new Error('usage: DATABASE_URL=… lead-instance.ts <data-dir>')
  const running = await serve({
    databaseUrl,
    dataDir,
    port: 0,
    host: '127.0.0.1',
    log: (message, err) => console.error(`instance ${process.pid}: ${message}`, err ?? ''),
  })
  let stopping = false
  const stop = () => {
    if (stopping) return
    stopping = true
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
  process.stdin.on('end', stop)
  process.stdin.on('close', stop)
  process.stdin.resume()
  process.stdout.write(`${JSON.stringify({ url: running.url, pid: process.pid })}\n`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
