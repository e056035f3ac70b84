import { SEARCH_MAX_LENGTH } from '../../shared/queue-constants'
import type { ClipStatus, QueueQueryInput, QueueSort } from '../../shared/domain'
import type { FlagSource } from '../../shared/field-pack'

/** What the reviewer chose in the queue's filter bar, and the `queue.list` query it means. */

export const STATUS_FILTERS = ['all', 'pending', 'decided', 'escalated', 'skipped', 'synced'] as const
export type StatusFilter = (typeof STATUS_FILTERS)[number]

export const COMMERCE_FILTERS = ['any', 'yes', 'no'] as const
export type CommerceFilter = (typeof COMMERCE_FILTERS)[number]

/** Known footage (issue 14): any clip, clips with a match, clips matching a decided clip. */
export const KNOWN_FILTERS = ['any', 'match', 'decided'] as const
export type KnownFilter = (typeof KNOWN_FILTERS)[number]

/** Choices for "due within": 0 means overdue only. */
export const DUE_WITHIN_HOURS = [0, 1, 4, 12, 24, 72] as const

export interface QueueView {
  status: StatusFilter
  /** A flag label (policy category id), or '' for any. */
  category: string
  source: FlagSource | ''
  /** A region code as typed; blank for any. */
  region: string
  commerce: CommerceFilter
  dueWithinHours: number | null
  search: string
  sort: QueueSort
  known: KnownFilter
  /** Copies of one footage listed together (each row says how many copies it has either way). */
  groupCopies: boolean
}

export const DEFAULT_VIEW: QueueView = {
  status: 'all',
  category: '',
  source: '',
  region: '',
  commerce: 'any',
  dueWithinHours: null,
  search: '',
  sort: 'urgency',
  known: 'any',
  groupCopies: false,
}

/** The query for a view: blank choices are left out, so the host sees only real filters. */
export function queryOf(view: QueueView): QueueQueryInput {
  const region = view.region.trim().toUpperCase().slice(0, 16)
  const search = view.search.trim().slice(0, SEARCH_MAX_LENGTH)
  return {
    ...(view.status === 'all' ? {} : { status: [view.status as ClipStatus] }),
    ...(view.category ? { categories: [view.category] } : {}),
    ...(view.source ? { sources: [view.source] } : {}),
    ...(region ? { region } : {}),
    ...(view.commerce === 'any' ? {} : { commerce: view.commerce === 'yes' }),
    ...(view.dueWithinHours === null ? {} : { dueWithinHours: view.dueWithinHours }),
    ...(search ? { search } : {}),
    ...(view.sort === 'urgency' ? {} : { sort: view.sort }),
    ...(view.known === 'any' ? {} : { hasMatch: view.known === 'match' ? 'any' : 'decided' }),
    ...(view.groupCopies ? { groupCopies: true } : {}),
  }
}

/** How many filters other than status and search narrow the list (shown beside "Clear"). */
export function activeFilterCount(view: QueueView): number {
  return [view.category !== '', view.source !== '', view.region.trim() !== '', view.commerce !== 'any', view.dueWithinHours !== null, view.known !== 'any'].filter(Boolean).length
}
