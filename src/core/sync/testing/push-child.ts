/**
 * A device that pushes, in a process of its own, to be killed (SIGKILL) mid-push by
 * kill-push.test.ts: opens the profile in `argv[2]`, pushes its outbox in batches of
 * `argv[3]` through the server URL the profile was enrolled with, and says so on stdout
 * ("pushing", then "done <counts>"). Run with `node --import tsx`.
 */
import { syncClientFor } from './client-for'
import { openQuietProfile } from './open-profile'

async function main(): Promise<void> {
  const [dataDir, batch] = process.argv.slice(2)
  if (!dataDir || !batch) throw new Error('usage: push-child <data dir> <batch size>')
  const t = openQuietProfile(dataDir)
  const client = syncClientFor(t, {
    pushBatch: Number(batch),
    maxAttempts: 1,
    timeoutMs: 60_000,
  })
  process.stdout.write(`pushing ${client.status().counts.pending}\n`)
  const r = await client.syncNow()
  process.stdout.write(`done ${JSON.stringify(r.pushed)}\n`)
  client.close()
  t.close()
}

main().catch((err: unknown) => {
  process.stderr.write(`push-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
  process.exit(1)
})
