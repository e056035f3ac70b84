import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, expect, onTestFailed, test } from 'vitest'
import { DecisionDraft } from '../../shared/policy'
// The client against the real sync service is the point of this file; core code never imports the server.
// eslint-disable-next-line no-restricted-imports
import type { TestServer } from '../../server/testing/test-server'
import { mulberry32 } from '../testing/prng'
import type { Tinjau } from '../tinjau'
import { FaultProxy } from './testing/fault-proxy'
import { openQuietProfile } from './testing/open-profile'
import { checkDecisions, inForce, localDecisions, makeSyncClient, packFolder, serverDecisions } from './testing/sync-world'
import { useTestService } from './testing/use-test-service'

/**
 * A device killed with SIGKILL in the middle of a push (testing/push-child.ts, its own
 * process, pushing a profile's outbox in batches through a proxy to the real sync service)
 * loses nothing and doubles nothing: the profile opens again (`PRAGMA integrity_check`),
 * every decision is still there, what it had marked acknowledged is on the server, and one
 * sync later the server holds every decision exactly once, identical, all acknowledged.
 *
 * Two ways to land the kill: (1) deterministic: the proxy holds back the server's answer to
 * the third batch (the server stored it; the device is killed waiting for the answer), so
 * the server holds exactly three batches and the device has acknowledged two; (2) by time:
 * a few milliseconds after the second answer reached the device (while it writes the acks,
 * builds the next batch or sends it), retried with other delays until the server is seen
 * to hold some but not all of the decisions.
 */

const ROOT = path.resolve(__dirname, '../../..')
const CHILD = path.join(__dirname, 'testing', 'push-child.ts')
const CLIPS = 120
const BATCH = 20

let server: TestServer
const dirs: string[] = []
let serial = 0

useTestService((s) => (server = s), dirs)

interface Prepared {
  reviewer: string
  dataDir: string
  proxy: FaultProxy
}

/** A round of decisions on every clip (a first one, or a revision of the one in force). */
function decideAll(t: Tinjau, round: number): void {
  const clips = t.store.sqlite.prepare('SELECT id FROM clips ORDER BY id').pluck().all() as string[]
  for (const clipId of clips) {
    const remove = (round + clipId.length) % 2 === 0
    t.handlers['decision.record'](
      DecisionDraft.parse({ clipId, categories: remove ? ['violence.arson'] : ['ok.commerce'], action: remove ? 'remove' : 'allow', rationale: remove ? `round ${round}` : '', revisesId: inForce(t, clipId) }),
    )
  }
}

/** A reviewer with CLIPS clips, a profile enrolled through a proxy, holding 3 × CLIPS unsent decisions (revision chains); closed. */
async function prepare(): Promise<Prepared> {
  const n = ++serial
  const reviewer = `k${n}-${Date.now()}`
  await server.ops.addReviewer(reviewer, 'Killed')
  const p = packFolder(`k${n}x${Date.now() % 100000}`, CLIPS, { mediaCount: 1 })
  dirs.push(p.dir)
  await server.ops.loadPack(p.dir)
  await server.ops.assign(p.packId, reviewer)
  const proxy = await FaultProxy.start({ target: server.url, random: mulberry32(n), name: `kill-${n}` })
  proxy.faults = false
  const t = openQuietProfile()
  dirs.push(t.dataDir)
  await t.sync.enroll(proxy.url, await server.ops.enrollmentCode(reviewer))
  const client = makeSyncClient(t, mulberry32(n))
  await client.syncNow()
  for (let round = 0; round < 3; round++) decideAll(t, round)
  client.close()
  t.close()
  return { reviewer, dataDir: t.dataDir, proxy }
}

function spawnPusher(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, String(BATCH)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return { child, exited, output: () => output }
}

const heldBy = async (reviewer: string) => (await serverDecisions(server, [reviewer])).byId.size

/** Reopen the killed device's profile: intact, nothing lost, its acks true; then sync and check exactly-once. */
async function recover(prep: Prepared, total: number, label: string): Promise<{ pushed: unknown }> {
  const t = openQuietProfile(prep.dataDir)
  try {
    expect(t.store.sqlite.pragma('integrity_check', { simple: true }), `${label}: the profile's SQLite file`).toBe('ok')
    const local = localDecisions(t)
    expect(local.all.size, `${label}: decisions in the profile after the kill`).toBe(total)
    const device = { name: 'killed device', reviewer: prep.reviewer, t }
    // What it had acknowledged before the kill is on the server, identical; the server holds nothing it lacks.
    await checkDecisions(server, [device], `${label}, right after the kill`)
    const client = makeSyncClient(t, mulberry32(7))
    const run = await client.syncNow()
    client.close()
    await checkDecisions(server, [device], `${label}, after one sync`, { final: true })
    expect(run.pushed.stored + run.pushed.duplicate, `${label}: answers to the sync after the kill`).toBe(local.pending.size)
    return { pushed: run.pushed }
  } finally {
    t.close()
  }
}

describe('a device killed (SIGKILL) in the middle of a push', () => {
  test('killed while the server holds its third batch unanswered: nothing lost, nothing doubled, all acknowledged after', async () => {
    const prep = await prepare()
    const total = 3 * CLIPS
    const label = 'held answer'
    const pusher = spawnPusher(prep.dataDir)
    onTestFailed(() => console.error(`child output:\n${pusher.output()}\n${prep.proxy.dump()}`))
    try {
      let pushes = 0
      prep.proxy.holdWhen((e) => e.method === 'POST' && e.path.startsWith('/v1/decisions') && ++pushes === 3)
      const killed = new Promise<void>((resolve) =>
        prep.proxy.onEvent((e) => {
          if (e.fault === 'hold') {
            pusher.child.kill('SIGKILL')
            resolve()
          }
        }),
      )
      await Promise.race([killed, pusher.exited])
      const exit = await pusher.exited
      expect(exit.signal, `${label}: the child was killed (output: ${pusher.output()})`).toBe('SIGKILL')
      prep.proxy.release()
      await prep.proxy.settle()
      // The server stored three batches; the device heard of two.
      expect(await heldBy(prep.reviewer), label).toBe(3 * BATCH)
      const after = await recover(prep, total, label)
      expect(after.pushed, label).toEqual({ stored: total - 3 * BATCH, duplicate: BATCH, rejected: 0 })
    } finally {
      pusher.child.kill('SIGKILL')
      await prep.proxy.close()
    }
  }, 60_000)

  test('killed a few milliseconds after an answer reached it (while it acks, or sends the next batch): nothing lost, nothing doubled', async () => {
    const prep = await prepare()
    let total = 3 * CLIPS
    const tries: string[] = []
    onTestFailed(() => console.error(`tries:\n${tries.join('\n')}\n${prep.proxy.dump()}`))
    try {
      // Delays after the second answer; a try whose kill did not land mid-push adds a round of decisions and tries the next.
      for (const delay of [2, 0, 6, 1, 12, 4]) {
        const label = `kill ${delay} ms after the second answer`
        const pusher = spawnPusher(prep.dataDir)
        let answered = 0
        const off = prep.proxy.onEvent((e) => {
          if (e.method === 'POST' && e.path.startsWith('/v1/decisions') && e.upstreamStatus === 200 && ++answered === 2) {
            setTimeout(() => pusher.child.kill('SIGKILL'), delay)
          }
        })
        const exit = await pusher.exited
        off()
        await prep.proxy.settle()
        const held = await heldBy(prep.reviewer)
        tries.push(`${label}: exit ${exit.signal ?? exit.code}, the server holds ${held} of ${total}; child said: ${pusher.output().trim().replace(/\n/g, ' | ')}`)
        if (exit.signal !== 'SIGKILL' || held === 0 || held >= total) {
          // Not mid-push (finished first, or killed before/after): bring the server up to date and try again with new decisions.
          await recover(prep, total, label)
          const t = openQuietProfile(prep.dataDir)
          decideAll(t, 10 + tries.length)
          t.close()
          total += CLIPS
          continue
        }
        await recover(prep, total, label)
        console.log(`kill by time: ${tries.join('; ')}`)
        return
      }
      throw new Error(`no kill landed mid-push:\n${tries.join('\n')}`)
    } finally {
      await prep.proxy.close()
    }
  }, 90_000)
})

