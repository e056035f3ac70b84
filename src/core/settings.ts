import os from 'node:os'
import type Database from 'better-sqlite3'
import { newId } from './ids'
import { zodDetails } from '../shared/dispatch'
import { TinjauError } from '../shared/errors'
import { LOCALES, type Locale } from '../shared/policy'
import { MATCHING_DEFAULTS, MatchingSettings } from '../shared/known-content'
import { DEFAULT_WELLNESS, WellnessSettings } from '../shared/wellness'
import { DEFAULT_IDLE_LOCK_MINUTES, IdleLockSettings } from '../shared/profile-lock'

/** Profile settings, kept in the profile database so they travel with it. */

export function getSetting(sqlite: Database.Database, key: string): string | undefined {
  const row = sqlite.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined
  return row?.value
}

export function setSetting(sqlite: Database.Database, key: string, value: string): void {
  sqlite.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value)
}

export interface Identity {
  deviceId: string
  reviewerId: string
}

/**
 * Who decides, and on which device. The device id is made once per profile; the reviewer
 * id defaults to the OS account name until enrollment (sync) gives a real one.
 */
export function ensureIdentity(sqlite: Database.Database): Identity {
  return sqlite.transaction(() => {
    let deviceId = getSetting(sqlite, 'device_id')
    if (!deviceId) {
      deviceId = newId()
      setSetting(sqlite, 'device_id', deviceId)
    }
    let reviewerId = getSetting(sqlite, 'reviewer_id')
    if (!reviewerId) {
      reviewerId = safeUserName()
      setSetting(sqlite, 'reviewer_id', reviewerId)
    }
    return { deviceId, reviewerId }
  })()
}

function safeUserName(): string {
  try {
    const name = os.userInfo().username.trim()
    return name.length > 0 ? name : 'reviewer'
  } catch {
    return 'reviewer'
  }
}

export function getLocale(sqlite: Database.Database): Locale {
  const v = getSetting(sqlite, 'locale')
  return (LOCALES as readonly string[]).includes(v ?? '') ? (v as Locale) : 'en'
}

export interface ImportSettings {
  allowUnsigned: boolean
  /** pack.json larger than this is refused before it is read. */
  maxManifestBytes: number
  /** One media file larger than this is refused. */
  maxMediaBytes: number
  /** All media of one pack together. */
  maxPackMediaBytes: number
  /** A zip entry (over 1 MiB) that inflates to more than this many times its compressed size is refused unread. */
  maxZipRatio: number
  /** Entries of one zip pack, folders included. */
  maxZipEntries: number
  /**
   * `ed25519:<base64>` keys a pack must be signed by; empty: any issuer key whose signature
   * verifies (and unsigned packs, if allowUnsigned).
   */
  trustedIssuerKeys: string[]
}

export const DEFAULT_IMPORT_SETTINGS: ImportSettings = {
  allowUnsigned: true,
  maxManifestBytes: 512 * 1024 * 1024,
  maxMediaBytes: 4 * 1024 * 1024 * 1024,
  maxPackMediaBytes: 64 * 1024 * 1024 * 1024,
  maxZipRatio: 200,
  maxZipEntries: 2_000_000,
  trustedIssuerKeys: [],
}

const ISSUER_KEY = /^ed25519:[A-Za-z0-9+/]{43}=$/

/**
 * The stored value of `import.trusted_issuer_keys`: a JSON array of issuer keys. A value that
 * does not read as one is an error, never "no list": an empty list would trust every issuer.
 */
export function parseTrustedIssuerKeys(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return []
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    value = undefined
  }
  if (!Array.isArray(value) || !value.every((k): k is string => typeof k === 'string' && ISSUER_KEY.test(k) && Buffer.from(k.slice(8), 'base64').length === 32)) {
    throw new TinjauError(
      'invalid_input',
      'setting import.trusted_issuer_keys must be a JSON array of "ed25519:<base64 of 32 bytes>" keys; packs cannot be imported until it is fixed',
    )
  }
  return value
}

/** Store the trusted issuer keys (checked as parseTrustedIssuerKeys reads them); [] trusts any issuer. */
export function setTrustedIssuerKeys(sqlite: Database.Database, keys: readonly string[]): string[] {
  const value = JSON.stringify(keys)
  const parsed = parseTrustedIssuerKeys(value)
  setSetting(sqlite, 'import.trusted_issuer_keys', value)
  return parsed
}

export function getImportSettings(sqlite: Database.Database): ImportSettings {
  const num = (key: string, fallback: number) => {
    const v = Number(getSetting(sqlite, key))
    return Number.isFinite(v) && v > 0 ? v : fallback
  }
  const allow = getSetting(sqlite, 'import.allow_unsigned')
  return {
    allowUnsigned: allow === undefined ? DEFAULT_IMPORT_SETTINGS.allowUnsigned : allow === 'true',
    maxManifestBytes: num('import.max_manifest_bytes', DEFAULT_IMPORT_SETTINGS.maxManifestBytes),
    maxMediaBytes: num('import.max_media_bytes', DEFAULT_IMPORT_SETTINGS.maxMediaBytes),
    maxPackMediaBytes: num('import.max_pack_media_bytes', DEFAULT_IMPORT_SETTINGS.maxPackMediaBytes),
    maxZipRatio: num('import.max_zip_ratio', DEFAULT_IMPORT_SETTINGS.maxZipRatio),
    maxZipEntries: num('import.max_zip_entries', DEFAULT_IMPORT_SETTINGS.maxZipEntries),
    trustedIssuerKeys: parseTrustedIssuerKeys(getSetting(sqlite, 'import.trusted_issuer_keys')),
  }
}

/** The reviewer's wellness defaults; a stored value that no longer parses falls back to the defaults. */
export function getWellness(sqlite: Database.Database): WellnessSettings {
  const raw = getSetting(sqlite, 'wellness')
  if (raw === undefined) return { ...DEFAULT_WELLNESS }
  try {
    const parsed = WellnessSettings.safeParse({ ...DEFAULT_WELLNESS, ...(JSON.parse(raw) as object) })
    return parsed.success ? parsed.data : { ...DEFAULT_WELLNESS }
  } catch {
    return { ...DEFAULT_WELLNESS }
  }
}

/** Validated again here (core is called directly too); refuses with `invalid_input` and keeps the old value. */
export function setWellness(sqlite: Database.Database, value: WellnessSettings): WellnessSettings {
  const parsed = WellnessSettings.safeParse(value)
  if (!parsed.success) {
    throw new TinjauError('invalid_input', 'invalid wellness settings', zodDetails(parsed.error))
  }
  setSetting(sqlite, 'wellness', JSON.stringify(parsed.data))
  return parsed.data
}

/** The known-content match rule (issue 14); a stored value that no longer parses falls back to the defaults. */
export function getMatching(sqlite: Database.Database): MatchingSettings {
  const raw = getSetting(sqlite, 'matching')
  if (raw === undefined) return { ...MATCHING_DEFAULTS }
  try {
    const parsed = MatchingSettings.safeParse({ ...MATCHING_DEFAULTS, ...(JSON.parse(raw) as object) })
    return parsed.success ? parsed.data : { ...MATCHING_DEFAULTS }
  } catch {
    return { ...MATCHING_DEFAULTS }
  }
}

/** Validated again here (core is called directly too); refuses with `invalid_input` and keeps the old value. */
export function setMatching(sqlite: Database.Database, value: MatchingSettings): MatchingSettings {
  const parsed = MatchingSettings.safeParse(value)
  if (!parsed.success) throw new TinjauError('invalid_input', 'invalid matching settings', zodDetails(parsed.error))
  setSetting(sqlite, 'matching', JSON.stringify(parsed.data))
  return parsed.data
}

/** Minutes without input after which the host locks the profile (issue 15); a stored value that no longer parses is the default. */
export function getIdleLock(sqlite: Database.Database): IdleLockSettings {
  const raw = getSetting(sqlite, 'lock.idle_minutes')
  const parsed = IdleLockSettings.safeParse({ minutes: raw === undefined ? DEFAULT_IDLE_LOCK_MINUTES : Number(raw) })
  return parsed.success ? parsed.data : { minutes: DEFAULT_IDLE_LOCK_MINUTES }
}

/** Validated again here (core is called directly too); refuses with `invalid_input` and keeps the old value. */
export function setIdleLock(sqlite: Database.Database, value: IdleLockSettings): IdleLockSettings {
  const parsed = IdleLockSettings.safeParse(value)
  if (!parsed.success) throw new TinjauError('invalid_input', 'invalid idle-lock setting', zodDetails(parsed.error))
  setSetting(sqlite, 'lock.idle_minutes', String(parsed.data.minutes))
  return parsed.data
}
