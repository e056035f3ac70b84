/** The web host and the pack the console benchmarks run against. */
import { spawn, type ChildProcess } from 'node:child_process'
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { performance } from 'node:perf_hooks'

const ROOT = path.resolve(__dirname, '..')
const RESOURCES = path.join(ROOT, 'resources')

/** Debian's Chromium (TINJAU_CHROMIUM to use another), with the flags the machine needs. */
export const CHROMIUM = process.env.TINJAU_CHROMIUM ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

/** The demo pack's clips repeated to `n`, with their media copied alongside. */
export function writePack(dir: string, n: number): void {
  const demo = path.join(RESOURCES, 'demo')
  const manifest = JSON.parse(readFileSync(path.join(demo, 'pack.json'), 'utf8')) as { clips: Record<string, unknown>[] } & Record<string, unknown>
  cpSync(path.join(demo, 'media'), path.join(dir, 'media'), { recursive: true })
  const base = manifest.clips
  const start = Date.parse('2025-08-29T06:00:00Z')
  const clips = Array.from({ length: n }, (_, i) => {
    const c = base[i % base.length]!
    const due = start + 3600_000 + (i % 997) * 60_000
    return { ...c, id: `bench-${String(i).padStart(6, '0')}`, priority: i % 101, due_at: new Date(due).toISOString().replace('.000Z', 'Z') }
  })
  writeFileSync(path.join(dir, 'pack.json'), JSON.stringify({ ...manifest, pack_id: 'pk-console-bench', clips }))
}

/** The built web host (out/main/web.js) on a free port, with `dataDir`'s profile: resolves once it prints its URL. */
export function startHost(dataDir: string): Promise<{ url: string; child: ChildProcess; readyMs: number }> {
  const entry = path.join(ROOT, 'out', 'main', 'web.js')
  if (!existsSync(entry)) throw new Error('out/main/web.js is missing: run "npm run build" first')
  const t0 = performance.now()
  // The host starts locked without a passphrase (issue 15); the bench measures the unlocked console.
  const env = { ...process.env, TINJAU_PASSPHRASE: process.env.TINJAU_PASSPHRASE ?? 'tinjau bench passphrase' }
  const child = spawn(process.execPath, [entry, '--data-dir', dataDir, '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const m = /Tinjau web host: (http:\/\/127\.0\.0\.1:\d+\/\?k=[A-Za-z0-9_-]+)/.exec(out)
      if (m?.[1]) resolve({ url: m[1], child, readyMs: performance.now() - t0 })
    })
    child.on('exit', (code) => reject(new Error(`web host exited with ${code}: ${out}`)))
  })
}
