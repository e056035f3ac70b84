import { spawn } from 'node:child_process'
import path from 'node:path'
import { describe, expect, test } from 'vitest'
import { verifyAudit } from '../audit'
import { dataPaths } from '../paths'
import { makePack, tempDir } from '../testing/make-pack'
import { openTestTinjau } from '../testing/open-test-tinjau'
import { ensureTestProfileKey, openTestProfileReadonly } from '../testing/test-profile-key'
import { walFramesNotCheckpointed } from './testing/wal-index'

/**
 * Checkpoints run while the writer is idle, not inside a save (idle-checkpoint.ts), so a
 * saved decision may live only in the WAL for a while. A process killed with SIGKILL at any
 * point — between saves, inside one, inside a checkpoint — loses no decision it reported
 * saved: the encrypted profile opens again, passes integrity_check, holds every such
 * decision with its clip's status and audit entry, and the audit chain verifies.
 */

const ROOT = path.resolve(__dirname, '../../..')
const CHILD = path.join(__dirname, 'testing', 'decide-child.ts')

interface Killed {
  saved: string[]
  /** WAL frames not checkpointed when the child was killed. */
  lastPending: number
  checkpoints: number
  signal: NodeJS.Signals | null
}

function runAndKill(dataDir: string, killAfterSaves: number, atSave?: { count: number; run: () => void }): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, '3'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    const saved: string[] = []
    let checkpoints = 0
    let buffered = ''
    let errors = ''
    child.stderr.on('data', (c: Buffer) => (errors += c.toString()))
    child.stdout.on('data', (c: Buffer) => {
      buffered += c.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        const [what, a] = line.split(' ')
        if (what === 'saved') {
          saved.push(a!)
          if (saved.length === atSave?.count) atSave.run()
        } else if (what === 'checkpoint') checkpoints++
        if (saved.length === killAfterSaves || what === 'done') child.kill('SIGKILL')
      }
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`the child ended by itself (exit code ${code}, signal ${signal}): ${errors}`))
      // Read while nothing has the profile open: the dead child's wal-index, as it left it.
      else resolve({ saved, lastPending: walFramesNotCheckpointed(dataPaths(dataDir).database) ?? 0, checkpoints, signal })
    })
  })
}

/** An encrypted profile (the tests' key file) holding `clips` pending clips, closed. */
async function encryptedProfileWithClips(dataDir: string, clips: number): Promise<void> {
  await ensureTestProfileKey(dataDir)
  const setup = openTestTinjau(dataDir)
  await setup.handlers['pack.importDirectory']({ path: makePack(clips) })
  await setup.search.whenIdle()
  setup.close()
}

describe('decisions saved while checkpoints wait for the writer to pause', () => {
  test('survive SIGKILL at any point, in the WAL or checkpointed', async () => {
    const dataDir = tempDir('tinjau-decide-kill-')
    await encryptedProfileWithClips(dataDir, 600)

    const everSaved: string[] = []
    const runs: Killed[] = []
    for (const killAfter of [7, 41, 96, 150]) {
      const run = await runAndKill(dataDir, killAfter)
      runs.push(run)
      everSaved.push(...run.saved)
      const t = openTestTinjau(dataDir)
      try {
        expect(t.store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok')
        const held = new Set(t.store.sqlite.prepare('SELECT id FROM decisions').pluck().all() as string[])
        expect(everSaved.filter((id) => !held.has(id))).toEqual([])
        const audited = new Set(
          (t.store.sqlite.prepare("SELECT payload FROM audit_log WHERE kind = 'decision.recorded'").pluck().all() as string[]).map((p) => (JSON.parse(p) as { decisionId: string }).decisionId),
        )
        expect(everSaved.filter((id) => !audited.has(id))).toEqual([])
        const undecided = t.store.sqlite.prepare("SELECT count(*) FROM decisions d JOIN clips c ON c.id = d.clip_id WHERE c.status <> 'decided'").pluck().get()
        expect(undecided).toBe(0)
        expect(verifyAudit(t.store.sqlite).ok).toBe(true)
      } finally {
        t.close()
      }
    }
    // The kills did land where this change matters: with saves only in the WAL, and after checkpoints had run.
    expect(runs.some((r) => r.lastPending > 0)).toBe(true)
    expect(runs.reduce((n, r) => n + r.checkpoints, 0)).toBeGreaterThan(0)
    expect(everSaved.length).toBeGreaterThanOrEqual(7 + 41 + 96 + 150)
  }, 180_000)
})

describe('another process opening the profile while a host saves', () => {
  // What the CLI, or a spec checking the store, does beside a running host. Once a host's
  // checkpointer opened and closed the -shm file itself, which dropped the host's locks on
  // it: the next process to open the profile truncated the -shm, and the host died of SIGBUS.
  test('leaves the host saving, with every decision kept', async () => {
    const dataDir = tempDir('tinjau-second-process-')
    await encryptedProfileWithClips(dataDir, 300)

    const seen: number[] = []
    const readBeside = () => {
      const db = openTestProfileReadonly(dataDir)
      try {
        seen.push(db.prepare('SELECT count(*) FROM decisions').pluck().get() as number)
      } finally {
        db.close()
      }
    }
    // Opened twice while the child saves (and its checkpointer looks every 3 ms), then the child goes on.
    let opened = 0
    const run = await runAndKill(dataDir, 120, {
      count: 30,
      run: () => {
        readBeside()
        opened++
        setTimeout(() => {
          readBeside()
          opened++
        }, 30)
      },
    })
    expect(run.signal).toBe('SIGKILL')
    expect(opened).toBe(2)
    expect(seen[0]).toBeGreaterThanOrEqual(30)
    expect(run.saved.length).toBeGreaterThanOrEqual(120)
    const t = openTestTinjau(dataDir)
    try {
      expect(t.store.sqlite.pragma('integrity_check', { simple: true })).toBe('ok')
      const held = new Set(t.store.sqlite.prepare('SELECT id FROM decisions').pluck().all() as string[])
      expect(run.saved.filter((id) => !held.has(id))).toEqual([])
    } finally {
      t.close()
    }
  }, 120_000)
})
