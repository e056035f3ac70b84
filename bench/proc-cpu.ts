/** CPU time of a process and its descendants, from Linux's /proc (the browser's renderers, GPU and utility processes). */
import { readdirSync, readFileSync } from 'node:fs'

/** Kernel clock ticks a second (USER_HZ): 100 on every Linux this runs on. */
const TICKS = 100

interface Stat {
  ppid: number
  cpuMs: number
  name: string
}

function stat(pid: number): Stat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The name is in parentheses and may hold spaces; the fields after it are space-separated.
    const close = text.lastIndexOf(')')
    const fields = text.slice(close + 2).split(' ')
    // After the name: state(0) ppid(1) … utime(11) stime(12).
    const cpuMs = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS
    // Chromium's processes all share one name; their --type= tells them apart.
    const type = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1]
    return { ppid: Number(fields[1]), cpuMs, name: type ?? text.slice(text.indexOf('(') + 1, close) }
  } catch {
    return null
  }
}

/**
 * Milliseconds of CPU (user + system) used so far by `root` and every live descendant, by
 * process name (a Chromium process: its --type); `skip` leaves out those processes and
 * their descendants.
 */
export function treeCpuMs(root: number, skip: number[] = []): { total: number; byName: Map<string, number> } {
  const all = new Map<number, Stat>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const s = stat(Number(entry))
    if (s) all.set(Number(entry), s)
  }
  const byName = new Map<string, number>()
  let total = 0
  for (const [pid, s] of all) {
    // Walk up to the root (or to init): is `pid` in root's tree?
    let at: number | undefined = pid
    while (at !== undefined && at !== root && at > 1 && !skip.includes(at)) at = all.get(at)?.ppid
    if (at !== root || (skip.includes(root) && pid === root)) continue
    total += s.cpuMs
    byName.set(s.name, (byName.get(s.name) ?? 0) + s.cpuMs)
  }
  return { total, byName }
}
