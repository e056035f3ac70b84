import type { ClipDetail } from '../../shared/domain'

/**
 * Whether two copies of a clip's details say the same. Both are the host's JSON answers to
 * `clip.get`, built the same way, so comparing their JSON is exact (and costs well under a
 * millisecond, against a whole clip view re-rendered for nothing).
 */
export function sameClipDetail(a: ClipDetail, b: ClipDetail): boolean {
  return a === b || (a.id === b.id && JSON.stringify(a) === JSON.stringify(b))
}
