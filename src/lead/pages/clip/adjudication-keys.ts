import { isTextField, type KeyPress } from '../../../ui/keys'

/**
 * The adjudication page's keys (its key help lists them):
 * - `1`–`9`: take that reviewer's decision as the outcome (then edit it, or save it);
 * - `w`: write an outcome of one's own (focus moves to the categories);
 * - `n` / `p`: the next / previous disputed clip; `l`: back to the list;
 * - Ctrl+Enter (Cmd+Enter): save the outcome, wherever focus is;
 * - holding `V` reveals a protected video (src/ui/use-clip-protection.ts).
 * Single keys never fire inside a text field, nor with Ctrl/Alt/Meta.
 */

export type AdjudicationCommand = { type: 'take'; index: number } | { type: 'write' } | { type: 'next' } | { type: 'prev' } | { type: 'list' } | { type: 'save' }

export function adjudicationCommand(e: KeyPress): AdjudicationCommand | null {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.altKey) return { type: 'save' }
  if (e.ctrlKey || e.metaKey || e.altKey || isTextField(e.target)) return null
  if (/^[1-9]$/.test(e.key) && !e.shiftKey) return { type: 'take', index: Number(e.key) - 1 }
  switch (e.key) {
    case 'w':
      return { type: 'write' }
    case 'n':
      return { type: 'next' }
    case 'p':
      return { type: 'prev' }
    case 'l':
      return { type: 'list' }
    default:
      return null
  }
}

export const ADJUDICATION_KEYS = [
  { keys: '1–9', what: 'take' },
  { keys: 'W', what: 'write' },
  { keys: 'Ctrl+Enter', what: 'save' },
  { keys: 'N', what: 'next' },
  { keys: 'P', what: 'prev' },
  { keys: 'L', what: 'list' },
  { keys: 'V', what: 'reveal' },
] as const
