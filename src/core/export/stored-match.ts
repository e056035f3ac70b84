import { TinjauError } from '../../shared/errors'
import { PackedMatchedFrom } from '../../shared/matched-from'

/**
 * A decision's stored matched_from (JSON text of PackedMatchedFrom, as the profile keeps it
 * and as the service's jsonb reads out) for an export. It was checked when it was written;
 * should it not read back as a match record, the export stops with the decision named
 * rather than file a statement or a row that says something else.
 */
export function storedMatchedFrom(decisionId: string, text: string): PackedMatchedFrom {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  const parsed = PackedMatchedFrom.safeParse(json)
  if (parsed.success) return parsed.data
  const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')
  throw new TinjauError('internal', `decision ${decisionId}: its stored matched_from is not a match record (${why})`)
}
