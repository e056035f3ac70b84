import type { DeviceSync, LeadRoleValue } from '../../../shared/lead-api'

/**
 * The admin page's forms, checked before they are sent with the service's own rules
 * (src/server/ops/reviewers.ts, leads.ts): the service checks again, and its refusal is
 * shown as it gives it.
 */

/** Reviewer and lead ids: 1–128 of A–Z a–z 0–9 . _ @ - */
export const ACCOUNT_ID = /^[A-Za-z0-9._@-]{1,128}$/
export const MAX_NAME = 200
export const MIN_PASSWORD = 12
export const MAX_PASSWORD = 1024

/** What can be wrong with each field (the page words each as admin.errors.<field>.<error>). */
export const FIELD_ERRORS = {
  id: ['required', 'pattern'],
  name: ['required', 'tooLong'],
  password: ['tooShort', 'tooLong'],
  password2: ['required', 'mismatch'],
} as const
export type IdError = (typeof FIELD_ERRORS.id)[number]
export type NameError = (typeof FIELD_ERRORS.name)[number]
export type PasswordError = (typeof FIELD_ERRORS.password)[number]
export type Password2Error = (typeof FIELD_ERRORS.password2)[number]

function idError(id: string): IdError | null {
  if (id.trim() === '') return 'required'
  return ACCOUNT_ID.test(id.trim()) ? null : 'pattern'
}

function nameError(name: string): NameError | null {
  if (name.trim() === '') return 'required'
  return name.trim().length > MAX_NAME ? 'tooLong' : null
}

export interface ReviewerInput {
  id: string
  name: string
}
export interface ReviewerErrors {
  id?: IdError
  name?: NameError
}

export type ReviewerCheck = { ok: true; body: { id: string; name: string } } | { ok: false; errors: ReviewerErrors }

export function checkReviewer(input: ReviewerInput): ReviewerCheck {
  const errors: ReviewerErrors = {}
  const id = idError(input.id)
  const name = nameError(input.name)
  if (id) errors.id = id
  if (name) errors.name = name
  if (id || name) return { ok: false, errors }
  return { ok: true, body: { id: input.id.trim(), name: input.name.trim() } }
}

export interface LeadInput {
  id: string
  name: string
  role: LeadRoleValue
  password: string
  password2: string
}
export interface LeadErrors {
  id?: IdError
  name?: NameError
  password?: PasswordError
  password2?: Password2Error
}

export type LeadCheck = { ok: true; body: { id: string; name: string; role: LeadRoleValue; password: string } } | { ok: false; errors: LeadErrors }

/** The password as typed (never trimmed: spaces are part of it), counted in characters as the service counts them. */
export function checkLead(input: LeadInput): LeadCheck {
  const errors: LeadErrors = {}
  const id = idError(input.id)
  const name = nameError(input.name)
  if (id) errors.id = id
  if (name) errors.name = name
  const chars = [...input.password].length
  if (chars < MIN_PASSWORD) errors.password = 'tooShort'
  else if (input.password.length > MAX_PASSWORD) errors.password = 'tooLong'
  if (input.password2 === '') errors.password2 = 'required'
  else if (input.password2 !== input.password) errors.password2 = 'mismatch'
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return { ok: true, body: { id: input.id.trim(), name: input.name.trim(), role: input.role, password: input.password } }
}

/** The fields in the order they appear: the first with an error gets the focus. */
export const LEAD_FIELDS = ['id', 'name', 'password', 'password2'] as const
export const REVIEWER_FIELDS = ['id', 'name'] as const

export function firstError<F extends string>(fields: readonly F[], errors: Partial<Record<F, unknown>>): F | null {
  return fields.find((f) => errors[f] !== undefined) ?? null
}

/** Active devices first (by enrolment), then the revoked ones. */
export function sortDevices(devices: readonly DeviceSync[]): DeviceSync[] {
  return [...devices].sort((a, b) => Number(a.revoked_at !== null) - Number(b.revoked_at !== null) || a.enrolled_at.localeCompare(b.enrolled_at) || a.device_id.localeCompare(b.device_id))
}

/** A device as the lead knows it: its name, or its id when it has none. */
export function deviceName(device: Pick<DeviceSync, 'name' | 'device_id'>): string {
  return device.name?.trim() ? device.name.trim() : device.device_id
}
