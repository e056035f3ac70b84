/** The queue's fixed vocabularies, free of zod so the renderer can use them; domain.ts builds its schemas on them and re-exports them. */

export const CLIP_STATUSES = ['pending', 'decided', 'escalated', 'skipped', 'synced'] as const

/** Orders of the queue. `urgency`: overdue and authority-request clips first (see core/queue-order.ts). */
export const QUEUE_SORTS = ['urgency', 'due', 'priority'] as const

export const SEARCH_MAX_LENGTH = 500

/** Rows per `queue.list` call from the UI: a screenful many times over, well under the host's 500 (core reads one such page at open to warm it). */
export const QUEUE_PAGE_ROWS = 200

/** Why a search string could not be read; the list is empty and the UI words a hint from this. */
export const SEARCH_HINTS = ['unbalanced_quotes', 'unbalanced_parentheses', 'dangling_operator', 'bad_wildcard', 'no_terms', 'syntax'] as const
