import { InvalidArgumentError } from 'commander'
import { TinjauError } from '../shared/errors'

/**
 * Option values that are text on the command line and numbers in the contract. A value
 * that does not parse is invalid input (exit 2), like one the contract refuses; except
 * where a commander argParser reads it (`hours`), which makes it a usage error (exit 1).
 */

export function wholeNumber(option: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  if (!/^\d+$/.test(raw.trim())) throw new TinjauError('invalid_input', `${option}: "${raw}" is not a whole number`)
  return Number(raw)
}

/**
 * A commander argParser for a number of hours, 0 or more, decimals allowed (`24`, `1.5`).
 * Anything else is a usage error naming the flag: commander reports
 * `option '--due-within <hours>' argument 'soon' is invalid. …` and the run exits 1.
 * The upper bound is the contract's to check (exit 2, like --limit).
 */
export function hours(raw: string): number {
  if (!/^\d+(?:\.\d+)?$/.test(raw.trim())) throw new InvalidArgumentError('Expected a number of hours, 0 or more (e.g. 24 or 1.5).')
  return Number(raw)
}

export interface RangeSpec {
  startMs: number
  endMs: number
  label?: string
}

const RANGE = /^(\d+(?:\.\d+)?)(ms|s)?-(\d+(?:\.\d+)?)(ms|s)?(?::([\s\S]*))?$/

const toMs = (value: string, unit: string | undefined) => (unit === 's' ? Math.round(Number(value) * 1000) : Number(value))

/** `start-end[:label]`, times in milliseconds or seconds with an `s` suffix: `12000-15000:fire`, `12s-15.5s`. */
export function rangeSpec(raw: string): RangeSpec {
  const m = RANGE.exec(raw.trim())
  if (!m) {
    throw new TinjauError(
      'invalid_input',
      `--range "${raw}": expected <start>-<end>[:label], times in milliseconds or seconds with an "s" suffix (e.g. 12000-15000:fire or 12s-15s)`,
    )
  }
  const [, start = '', startUnit, end = '', endUnit, label] = m
  return { startMs: toMs(start, startUnit), endMs: toMs(end, endUnit), ...(label !== undefined ? { label } : {}) }
}
