import { renderToStaticMarkup } from 'react-dom/server.browser'
import { I18nextProvider } from 'react-i18next'
import { describe, expect, it } from 'vitest'
import type { TinjauApi } from '../../shared/contract'
import type { Locale } from '../../shared/policy'
import type { ProfileStatus } from '../../shared/profile-lock'
import { ApiContext } from '../api/api-context'
import { createI18n } from '../i18n/i18n'
import { LockScreen } from './LockScreen'

/** The lock screen in each state, rendered to markup in both languages. */

const base: ProfileStatus = {
  state: 'locked',
  hasPassphrase: true,
  osStore: false,
  canLock: true,
  minPassphraseLength: 8,
  failures: 0,
  retryInMs: 0,
  lockedBy: 'idle',
  idleLockMs: 900_000,
  idleLockFixed: false,
  encrypting: false,
  encryptProgress: null,
  problem: null,
}
const noCalls = new Proxy({}, { get: () => () => Promise.reject(new Error('no calls in a static render')) }) as TinjauApi

function render(status: Partial<ProfileStatus>, locale: Locale = 'en'): string {
  return renderToStaticMarkup(
    <ApiContext value={noCalls}>
      <I18nextProvider i18n={createI18n(locale)}>
        <LockScreen status={{ ...base, ...status }} onUnlocked={() => {}} />
      </I18nextProvider>
    </ApiContext>,
  )
}

describe('the lock screen', () => {
  it('a new profile: choose a passphrase twice, told it cannot be recovered', () => {
    const html = render({ state: 'new', hasPassphrase: false, lockedBy: 'start' })
    expect(html).toContain('data-testid="choose-passphrase"')
    expect(html).toContain('Choose a passphrase')
    expect(html).toContain('at least 8 characters')
    expect(html).toContain('cannot be recovered')
    expect(html).toContain('data-testid="passphrase-confirm"')
    expect(html).toMatch(/autoComplete="new-password"/i)
  })

  it('an old clear profile: told it will be encrypted in place and nothing decided is lost', () => {
    const html = render({ state: 'clear', hasPassphrase: false, lockedBy: 'start' }, 'id')
    expect(html).toContain('Enkripsi profil ini')
    expect(html).toContain('Tidak ada keputusan Anda yang hilang')
  })

  it('locked: why, the passphrase field, and the OS store button where it can unlock', () => {
    const html = render({ osStore: true, lockedBy: 'os' })
    expect(html).toContain('data-testid="lock-screen"')
    expect(html).toContain('locked when the computer was locked')
    expect(html).toContain('data-testid="passphrase"')
    expect(html).toContain('data-testid="unlock-os"')
    // Without a passphrase (an app-made profile), only the OS store.
    const osOnly = render({ osStore: true, hasPassphrase: false })
    expect(osOnly).not.toContain('data-testid="passphrase"')
    expect(osOnly).toContain('data-testid="unlock-os"')
  })

  it('unlocking or encrypting: progress, the form disabled; a wait after wrong tries is counted down', () => {
    expect(render({ state: 'unlocking', encrypting: true })).toMatch(/data-testid="unlocking"[^>]*>.*up to a minute/)
    const waiting = render({ retryInMs: 10_000, failures: 4 }, 'id')
    expect(waiting).toContain('Tunggu 10 detik')
    expect(waiting).toMatch(/<button[^>]*disabled=""[^>]*data-testid="unlock"/)
  })

  it('encrypting in place: a progress bar with the phase; a wiped profile: says its data cannot be read, and offers nothing to type', () => {
    const html = render({ state: 'unlocking', encrypting: true, encryptProgress: { phase: 'files', done: 250, total: 1000 } })
    expect(html).toMatch(/<progress[^>]*max="1000"[^>]*value="250"/)
    expect(html).toContain('Encrypting media')
    const wiped = render({ state: 'wiped', hasPassphrase: false, lockedBy: 'start' }, 'id')
    expect(wiped).toContain('data-state="wiped"')
    expect(wiped).toContain('tidak dapat dibaca')
    expect(wiped).not.toContain('data-testid="passphrase"')
  })

  it('no raw translation keys in either language', () => {
    for (const locale of ['en', 'id'] as const) {
      for (const state of ['new', 'clear', 'locked', 'wiped', 'unlocking'] as const) {
        expect(render({ state, osStore: true, problem: 'keyring locked' }, locale)).not.toMatch(/lock\.[a-zA-Z]+/)
      }
    }
  })
})
