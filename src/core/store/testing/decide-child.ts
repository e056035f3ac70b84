/**
 * The process decide-kill.test.ts kills: opens a profile (encrypted, through its key file)
 * as a reviewer's host does, with the idle checkpointer running, and records a decision on
 * each clip in turn, yielding to the event loop between saves so the checkpointer's timer
 * runs as it would between a reviewer's saves. After each save returns it prints
 * `saved <decision id>`; the parent kills it at some point. It never reads the -shm file
 * itself (testing/wal-index.ts says why).
 *
 *   node --import tsx decide-child.ts <dataDir> <idleMs>
 */
import { DecisionDraft } from '../../../shared/policy'
import { openTestTinjau } from '../../testing/open-test-tinjau'
import { IdleCheckpointer } from '../idle-checkpoint'

const [dataDir, idleMs] = process.argv.slice(2)
const t = openTestTinjau(dataDir!)
// A faster look than the product's, so that in the short life of this process checkpoints run between saves too.
t.checkpoints?.close()
const checkpointer = new IdleCheckpointer({ sqlite: t.store.sqlite, canRun: () => !t.gate.busy, idleMs: Number(idleMs), minChanges: 16, maxWaitMs: 20 })
checkpointer.onRun((r) => process.stdout.write(`checkpoint ${r.frames}\n`))
const clips = t.store.sqlite.prepare("SELECT id FROM clips WHERE status = 'pending' ORDER BY id").pluck().all() as string[]

async function main(): Promise<void> {
  for (const clipId of clips) {
    const d = t.handlers['decision.record'](DecisionDraft.parse({ clipId, categories: ['violence.arson'], action: 'remove', rationale: `kill test ${clipId}` }))
    process.stdout.write(`saved ${d.id}\n`)
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  process.stdout.write('done\n')
  // Never close: the parent kills this process.
  await new Promise(() => {})
}

void main()
