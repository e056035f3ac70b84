import { readFileSync } from 'node:fs'
import path from 'node:path'
import { zodDetails } from '../shared/dispatch'
import { Policy } from '../shared/policy'

export const DEFAULT_POLICY_FILE = 'live-safety.json'

/** Load and check a policy file; a broken one stops start-up with what is wrong and where. */
export function loadPolicy(resourcesDir: string, file = DEFAULT_POLICY_FILE): Policy {
  const p = path.join(resourcesDir, 'policy', file)
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(p, 'utf8'))
  } catch (err) {
    throw new Error(`cannot read policy ${p}: ${(err as Error).message}`)
  }
  const parsed = Policy.safeParse(raw)
  if (!parsed.success) {
    throw new Error(`policy ${p} is invalid: ${zodDetails(parsed.error).map((d) => `${d.path}: ${d.message}`).join('; ')}`)
  }
  return parsed.data
}
