import type { ApiError } from '../shared/errors'
import type { CliIo } from './io'

/** `tinjau: <message>` on stderr, then one indented line per detail. */
export function reportError(io: CliIo, error: ApiError, hint?: string): void {
  const lines = [`tinjau: ${error.message}`]
  for (const d of error.details ?? []) lines.push(`  ${d.path}: ${d.message}`)
  if (hint) lines.push(hint)
  io.stderr(`${lines.join('\n')}\n`)
}
