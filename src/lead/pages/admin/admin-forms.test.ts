import { describe, expect, it } from 'vitest'
import type { DeviceSync } from '../../../shared/lead-api'
import { checkLead, checkReviewer, deviceName, firstError, LEAD_FIELDS, sortDevices } from './admin-forms'

describe('adding a reviewer', () => {
  it('takes an id of the allowed characters and a name, trimmed', () => {
    expect(checkReviewer({ id: ' rina.s@jkt ', name: '  Rina S ' })).toEqual({ ok: true, body: { id: 'rina.s@jkt', name: 'Rina S' } })
  })
  it('says what is missing or wrong, field by field', () => {
    expect(checkReviewer({ id: '', name: '' })).toEqual({ ok: false, errors: { id: 'required', name: 'required' } })
    expect(checkReviewer({ id: 'rina s', name: 'x'.repeat(201) })).toEqual({ ok: false, errors: { id: 'pattern', name: 'tooLong' } })
    expect(checkReviewer({ id: 'r'.repeat(129), name: 'R' })).toEqual({ ok: false, errors: { id: 'pattern' } })
  })
})

describe('adding a lead', () => {
  const ok = { id: 'tomo', name: 'Tomo', role: 'lead' as const, password: 'twelve chars', password2: 'twelve chars' }
  it('sends the password as typed (spaces are part of it)', () => {
    expect(checkLead({ ...ok, password: ' twelve chars ', password2: ' twelve chars ', role: 'admin' })).toEqual({
      ok: true,
      body: { id: 'tomo', name: 'Tomo', role: 'admin', password: ' twelve chars ' },
    })
  })
  it('needs 12 characters (counted as characters, as the service counts them), typed twice alike', () => {
    expect(checkLead({ ...ok, password: 'eleven char', password2: 'eleven char' })).toEqual({ ok: false, errors: { password: 'tooShort' } })
    // 12 emoji are 24 UTF-16 units but 12 characters: enough.
    const emoji = '🔒'.repeat(12)
    expect(checkLead({ ...ok, password: emoji, password2: emoji })).toMatchObject({ ok: true })
    expect(checkLead({ ...ok, password: '🔒'.repeat(6), password2: '🔒'.repeat(6) })).toEqual({ ok: false, errors: { password: 'tooShort' } })
    expect(checkLead({ ...ok, password2: 'twelve charz' })).toEqual({ ok: false, errors: { password2: 'mismatch' } })
    expect(checkLead({ ...ok, password2: '' })).toEqual({ ok: false, errors: { password2: 'required' } })
    expect(checkLead({ ...ok, password: 'x'.repeat(1025), password2: 'x'.repeat(1025) })).toEqual({ ok: false, errors: { password: 'tooLong' } })
  })
  it('focuses the first field in error, in the order of the form', () => {
    const r = checkLead({ ...ok, id: 'bad id', password: 'short', password2: 'short' })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(firstError(LEAD_FIELDS, r.errors)).toBe('id')
    expect(firstError(LEAD_FIELDS, { password2: 'mismatch' })).toBe('password2')
    expect(firstError(LEAD_FIELDS, {})).toBeNull()
  })
})

describe('devices', () => {
  const d = (id: string, enrolled: string, revoked: string | null, name: string | null = null): DeviceSync => ({
    device_id: id,
    reviewer_id: 'rina',
    name,
    enrolled_at: enrolled,
    last_sync_at: null,
    revoked_at: revoked,
    unsent: null,
  })
  it('lists active devices first, then revoked ones, each by enrolment', () => {
    const list = [d('old', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'), d('b', '2026-03-01T00:00:00Z', null), d('a', '2026-02-01T00:00:00Z', null)]
    expect(sortDevices(list).map((x) => x.device_id)).toEqual(['a', 'b', 'old'])
  })
  it('names a device by its name, or its id', () => {
    expect(deviceName(d('dev-1', '', null, 'Rina laptop'))).toBe('Rina laptop')
    expect(deviceName(d('dev-1', '', null, '  '))).toBe('dev-1')
  })
})
