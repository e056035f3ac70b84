import type { z } from 'zod'
import { TinjauError, type ErrorDetail } from '../../shared/errors'

/**
 * Pack errors name the rule, the clip and the field, e.g.
 * `clips[3] (id "demo-004") media.sha256: 64 lowercase hex characters`.
 */

export function packError(message: string, details?: ErrorDetail[]): TinjauError {
  return new TinjauError('invalid_pack', message, details)
}

/** `clips.3.media.sha256` → `clips[3] (id "x") media.sha256`, using the raw JSON for the id. */
export function describePackPath(pathParts: readonly PropertyKey[], raw: unknown): string {
  if (pathParts[0] === 'clips' && typeof pathParts[1] === 'number') {
    const index = pathParts[1]
    const clip = Array.isArray((raw as { clips?: unknown })?.clips) ? (raw as { clips: unknown[] }).clips[index] : undefined
    const id = typeof clip === 'object' && clip !== null && typeof (clip as { id?: unknown }).id === 'string' ? (clip as { id: string }).id : null
    const rest = pathParts.slice(2).map(String).join('.')
    return `clips[${index}]${id ? ` (id "${id.slice(0, 128)}")` : ''}${rest ? ` ${rest}` : ''}`
  }
  return pathParts.map(String).join('.') || '(root)'
}

const MAX_LISTED = 20

export function manifestSchemaError(error: z.ZodError, raw: unknown): TinjauError {
  return schemaError(error, (p) => describePackPath(p, raw))
}

/** The same error for one clip checked on its own: paths are the clip's, `clips[index]` is added. */
export function clipSchemaError(error: z.ZodError, index: number, clip: unknown): TinjauError {
  const sparse: unknown[] = []
  sparse[index] = clip
  return schemaError(error, (p) => describePackPath(['clips', index, ...p], { clips: sparse }))
}

function schemaError(error: z.ZodError, describe: (p: readonly PropertyKey[]) => string): TinjauError {
  const details = error.issues.slice(0, MAX_LISTED).map((i) => ({ path: describe(i.path), message: i.message }))
  const more = error.issues.length > MAX_LISTED ? ` (and ${error.issues.length - MAX_LISTED} more)` : ''
  const first = details[0]
  return packError(`pack.json does not follow field pack v1: ${first ? `${first.path}: ${first.message}` : 'invalid'}${more}`, details)
}
