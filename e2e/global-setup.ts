import type { FullConfig } from '@playwright/test'
import { electronUnavailableReason } from './fixtures'

/** Say once, in one line, why the Electron project skips (each of its tests skips too). */
export default function globalSetup(config: FullConfig): void {
  if (!config.projects.some((p) => p.name === 'electron')) return
  const reason = electronUnavailableReason()
  if (reason) console.log(`electron project: skipped — ${reason}; the same specs run against the web host`)
}
