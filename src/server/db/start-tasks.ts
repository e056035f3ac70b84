import { lockClips } from '../ops/adjudications'
import { deriveOutcomes } from '../ops/outcomes'
import { one, rows, sql, type Db } from './open'

/**
 * Work a migration leaves in service_tasks, done at start by the code that does it every day,
 * in one transaction per task under a lock, so instances starting together do it once and a
 * crash halfway leaves the task to the next start.
 */

const TASK_LOCK = 72_616_003
const CHUNK = 1000

const TASKS: Record<string, (tx: Db) => Promise<void>> = {
  /** Outcomes for the clips decided before outcomes existed (migration 0003). */
  'derive-outcomes': async (tx) => {
    const clips = (await rows<{ clip_id: string }>(tx, sql`SELECT DISTINCT clip_id FROM decision_heads ORDER BY clip_id`)).map((r) => r.clip_id)
    for (let i = 0; i < clips.length; i += CHUNK) {
      const part = clips.slice(i, i + CHUNK)
      await lockClips(tx, part)
      await deriveOutcomes(tx, part)
    }
  },
}

export async function runStartTasks(db: Db): Promise<string[]> {
  const pending = await rows<{ name: string }>(db, sql`SELECT name FROM service_tasks ORDER BY created_at, name`)
  const done: string[] = []
  for (const { name } of pending) {
    const task = TASKS[name]
    if (!task) throw new Error(`the database asks for start task "${name}", which this version of the service does not know; run a newer version`)
    await db.transaction(async (txn) => {
      const tx = txn as unknown as Db
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${TASK_LOCK})`)
      if (!(await one(tx, sql`SELECT 1 FROM service_tasks WHERE name = ${name}`))) return
      await task(tx)
      await tx.execute(sql`DELETE FROM service_tasks WHERE name = ${name}`)
      done.push(name)
    })
  }
  return done
}
