import { TinjauError } from '../../shared/errors'

/**
 * Stopping an import: it is checked between chunks and pieces, and media copies are
 * destroyed mid-stream; the import then rolls back as it would on a failure.
 */

export function cancelledError(): TinjauError {
  return new TinjauError('cancelled', 'the import was cancelled; nothing was changed')
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError()
}
