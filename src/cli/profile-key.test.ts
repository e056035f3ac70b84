import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PassThrough } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { makePack, tempDir } from '../core/testing/make-pack'
import { createProfileKey, DEFAULT_SCRYPT, PROFILE_KEY_FILE, profileKeyPath, unlockProfileKey } from '../core/profile-crypto/profile-key-file'
import { SQLITE_CLEAR_HEADER } from '../core/profile-crypto/profile-keys'
import { profileAccess, unlockProfile } from '../core/profile-crypto/unlock-profile'
import { ensureTestProfileKey, TEST_PASSPHRASE } from '../core/testing/test-profile-key'
import { terminalAsk } from './prompt'
import { runTinjau, scriptedTerminal, storeRows, tinjau } from './testing/run-tinjau'

const made: string[] = []
const scratch = (prefix: string) => {
  const dir = tempDir(prefix)
  made.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const newDataDir = () => path.join(scratch('tinjau-cli-key-'), 'profile')
const run = (dataDir: string, args: string[], io: Parameters<typeof runTinjau>[1] = {}) => runTinjau(['--data-dir', dataDir, ...args], io)
const env = (passphrase: string, more: Record<string, string> = {}) => ({ env: { TINJAU_PASSPHRASE: passphrase, ...more } })
const keyFileBytes = (dataDir: string) => readFileSync(profileKeyPath(dataDir))

/** A test profile with a pack imported, through the CLI. */
async function profileWithPack(): Promise<string> {
  const dataDir = newDataDir()
  const r = await tinjau(dataDir, 'import', makePack(2, { root: scratch('tinjau-pack-') }))
  expect(r.code, r.stderr).toBe(0)
  return dataDir
}

describe('unlocking', () => {
  it('makes a new profile encrypted with TINJAU_PASSPHRASE, at the full scrypt cost', async () => {
    const dataDir = newDataDir()
    const r = await run(dataDir, ['queue', '--json'], env('a new passphrase'))
    expect(r.code, r.stderr).toBe(0)
    const file = JSON.parse(readFileSync(profileKeyPath(dataDir), 'utf8'))
    expect(file.wraps).toHaveLength(1)
    expect(file.wraps[0].kdf).toMatchObject({ name: 'scrypt', ...DEFAULT_SCRYPT })
    expect(readFileSync(path.join(dataDir, 'tinjau.sqlite')).subarray(0, 16).equals(SQLITE_CLEAR_HEADER)).toBe(false)
    await expect(unlockProfile(dataDir, { passphrase: 'a new passphrase' })).resolves.toBeTruthy()
  }, 60_000)

  it("asks a new profile's passphrase twice at a terminal, hidden, and again when they differ or it is too short", async () => {
    const dataDir = newDataDir()
    const terminal = scriptedTerminal(['short', 'first try!', 'second try', 'the passphrase', 'the passphrase'])
    const r = await run(dataDir, ['queue', '--json'], { ask: terminal.ask })
    expect(r.code, r.stderr).toBe(0)
    expect(terminal.asked.map((a) => a.hidden)).toEqual([true, true, true, true, true])
    expect(terminal.asked.map((a) => a.question)).toEqual([
      `Choose a passphrase for the new Tinjau profile in ${dataDir}: `,
      `Choose a passphrase for the new Tinjau profile in ${dataDir}: `,
      'Type it again to confirm: ',
      `Choose a passphrase for the new Tinjau profile in ${dataDir}: `,
      'Type it again to confirm: ',
    ])
    expect(r.stderr).toContain('a passphrase has at least 8 characters. Try again.')
    expect(r.stderr).toContain('The two did not match. Try again.')
    expect(r.stdout).not.toContain('passphrase')
    await expect(unlockProfileKey(dataDir, { passphrase: 'the passphrase' })).resolves.toBeTruthy()
  }, 60_000)

  it('gives up on a new profile after three tries, or when the prompt is cancelled, and creates nothing', async () => {
    const dataDir = newDataDir()
    const r = await run(dataDir, ['queue'], { ask: scriptedTerminal(['one passphrase', 'another one', 'x', 'abcdefgh', 'abcdefgX']).ask })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'The two did not match. Try again.\na passphrase has at least 8 characters. Try again.\ntinjau: The two did not match; nothing was changed\n',
    )
    const cancelled = await run(dataDir, ['queue'], { ask: scriptedTerminal([null]).ask })
    expect(cancelled.code).toBe(2)
    expect(cancelled.stderr).toBe('tinjau: no answer was given (cancelled at the prompt); nothing was changed\n')
    expect(existsSync(dataDir)).toBe(false)
  })

  it('without TINJAU_PASSPHRASE and without a terminal: exit 4, says what to do, touches nothing', async () => {
    const dataDir = newDataDir()
    const fresh = await run(dataDir, ['queue'])
    expect(fresh.code).toBe(4)
    expect(fresh.stderr).toBe(`tinjau: the profile in ${dataDir} is new and needs a passphrase to encrypt it: set TINJAU_PASSPHRASE, or run tinjau in a terminal to be asked for it\n`)
    expect(existsSync(dataDir)).toBe(false)

    const existing = await profileWithPack()
    const r = await run(existing, ['queue'])
    expect(r.code).toBe(4)
    expect(r.stderr).toBe(`tinjau: the profile in ${existing} is encrypted and needs its passphrase: set TINJAU_PASSPHRASE, or run tinjau in a terminal to be asked for it\n`)
  })

  it('refuses a wrong passphrase with exit 4 and changes nothing', async () => {
    const dataDir = await profileWithPack()
    const rows = storeRows(dataDir)
    const key = keyFileBytes(dataDir)
    const r = await run(dataDir, ['decide', 'clip-000000', '--action', 'allow', '--category', 'none'], env('not the passphrase'))
    expect(r.code).toBe(4)
    expect(r.stderr).toBe(`tinjau: the passphrase for the profile in ${dataDir} is not right (TINJAU_PASSPHRASE or the one typed); nothing was changed\n`)
    expect(storeRows(dataDir)).toEqual(rows)
    expect(keyFileBytes(dataDir).equals(key)).toBe(true)
  })

  it('asks once per run at a terminal, and again after a wrong passphrase (three tries)', async () => {
    const dataDir = await profileWithPack()
    // A search opens the profile twice (index catch-up, then the query): one question.
    const terminal = scriptedTerminal(['wrong one!', TEST_PASSPHRASE])
    const r = await run(dataDir, ['queue', '--search', 'anything', '--json'], { ask: terminal.ask })
    expect(r.code, r.stderr).toBe(0)
    expect(terminal.asked).toEqual([
      { question: `Passphrase for the Tinjau profile in ${dataDir}: `, hidden: true },
      { question: `Passphrase for the Tinjau profile in ${dataDir}: `, hidden: true },
    ])
    expect(r.stderr).toContain('That passphrase is not right; try again.\n')

    const three = await run(dataDir, ['queue'], { ask: scriptedTerminal(['wrong 1!', 'wrong 2!', 'wrong 3!']).ask })
    expect(three.code).toBe(4)
    expect(three.stderr).toMatch(/tinjau: the passphrase for the profile in .* is not right/)
  })

  it("a profile sealed only by the app's OS key store: exit 4, set a passphrase in the app", async () => {
    const dataDir = newDataDir()
    mkdirSync(dataDir, { recursive: true })
    const xor = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a))
    await createProfileKey(dataDir, { protector: { name: 'test-os-store', encrypt: xor, decrypt: xor } })
    const r = await run(dataDir, ['queue'], env(TEST_PASSPHRASE))
    expect(r.code).toBe(4)
    expect(r.stderr).toBe(
      `tinjau: the profile in ${dataDir} is sealed only by the OS key store of the Tinjau app that made it, and has no passphrase: open it in the Tinjau app and set a passphrase there to use it from the command line\n`,
    )
  })
})

describe('tinjau passphrase', () => {
  it('changes the passphrase from the environment: the old one no longer opens the profile, the data stays', async () => {
    const dataDir = await profileWithPack()
    const r = await run(dataDir, ['passphrase'], env(TEST_PASSPHRASE, { TINJAU_NEW_PASSPHRASE: 'a brand new passphrase' }))
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(
      `Changed the passphrase of the profile in ${dataDir}. The old passphrase no longer opens it; the data was not re-encrypted (the profile's key is the same, only its wrap changed).\n`,
    )
    expect((await run(dataDir, ['queue'], env(TEST_PASSPHRASE))).code).toBe(4)
    const q = await run(dataDir, ['queue', '--json'], env('a brand new passphrase'))
    expect(q.code, q.stderr).toBe(0)
    expect(JSON.parse(q.stdout).total).toBe(2)
    expect(JSON.parse(readFileSync(profileKeyPath(dataDir), 'utf8')).wraps[0].kdf).toMatchObject(DEFAULT_SCRYPT)
  }, 60_000)

  it('asks the current one, then the new one twice, at a terminal', async () => {
    const dataDir = await profileWithPack()
    const terminal = scriptedTerminal([TEST_PASSPHRASE, 'typed at the terminal', 'typed at the terminal'])
    const r = await run(dataDir, ['passphrase'], { ask: terminal.ask })
    expect(r.code, r.stderr).toBe(0)
    expect(terminal.asked.map((a) => a.question)).toEqual([`Current passphrase for the Tinjau profile in ${dataDir}: `, 'New passphrase: ', 'Type it again to confirm: '])
    expect(terminal.asked.every((a) => a.hidden)).toBe(true)
    await expect(unlockProfileKey(dataDir, { passphrase: 'typed at the terminal' })).resolves.toBeTruthy()
  }, 60_000)

  it('refuses a wrong current passphrase, a weak new one, and a missing one, changing nothing', async () => {
    const dataDir = await profileWithPack()
    const key = keyFileBytes(dataDir)
    const wrong = await run(dataDir, ['passphrase'], env('not the passphrase', { TINJAU_NEW_PASSPHRASE: 'whatever it is' }))
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toMatch(/^tinjau: the passphrase for the profile in .* is not right .*; nothing was changed\n$/)
    const weak = await run(dataDir, ['passphrase'], env(TEST_PASSPHRASE, { TINJAU_NEW_PASSPHRASE: 'short' }))
    expect(weak.code).toBe(2)
    expect(weak.stderr).toBe('tinjau: TINJAU_NEW_PASSPHRASE: a passphrase has at least 8 characters; nothing was changed\n')
    const missing = await run(dataDir, ['passphrase'], env(TEST_PASSPHRASE))
    expect(missing.code).toBe(4)
    expect(missing.stderr).toBe('tinjau: the new passphrase is missing: set TINJAU_NEW_PASSPHRASE, or run tinjau in a terminal to be asked for it; nothing was changed\n')
    expect(keyFileBytes(dataDir).equals(key)).toBe(true)
    const none = await run(newDataDir(), ['passphrase'], env(TEST_PASSPHRASE))
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^tinjau: there is no profile in .*; nothing was changed\n$/)
  })
})

describe('tinjau wipe', () => {
  it('--yes wipes the key and the credentials: the data can no longer be read, by the CLI or a host', async () => {
    const dataDir = await profileWithPack()
    await tinjau(dataDir, 'export', '--format', 'csv', '--out', path.join(scratch('tinjau-out-'), 'x.csv')) // makes the device key
    expect(existsSync(path.join(dataDir, 'device-key.json'))).toBe(true)
    const r = await run(dataDir, ['wipe', '--yes'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(
      `Wiped the key of the profile in ${dataDir}: ${PROFILE_KEY_FILE} was overwritten and removed. Its database, media and packs can no longer be read by anyone, on this device or another. Removed this device's credentials too (device-key.json).\n` +
        'A Tinjau app that has this profile open still holds the key until it closes: close it.\n',
    )
    expect(existsSync(profileKeyPath(dataDir))).toBe(false)
    expect(existsSync(path.join(dataDir, 'device-key.json'))).toBe(false)
    expect(existsSync(path.join(dataDir, 'tinjau.sqlite'))).toBe(true)
    expect(profileAccess(dataDir)).toEqual({ state: 'wiped' })
    await expect(unlockProfile(dataDir, { passphrase: TEST_PASSPHRASE })).rejects.toMatchObject({ code: 'missing' })
    expect(existsSync(profileKeyPath(dataDir))).toBe(false)

    const after = await run(dataDir, ['queue'], env(TEST_PASSPHRASE))
    expect(after.code).toBe(4)
    expect(after.stderr).toMatch(/^tinjau: the profile in .* was wiped \(its key file .* is gone\): its data can no longer be read/)
    expect(existsSync(profileKeyPath(dataDir))).toBe(false)

    const again = await run(dataDir, ['wipe', '--yes'])
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/was wiped already/)
  }, 60_000)

  it('asks to type "wipe" at a terminal; anything else changes nothing', async () => {
    const dataDir = await profileWithPack()
    const key = keyFileBytes(dataDir)
    const terminal = scriptedTerminal(['yes'])
    const no = await run(dataDir, ['wipe'], { ask: terminal.ask })
    expect(no.code).toBe(2)
    expect(no.stderr).toBe('tinjau: not wiped (the answer was not "wipe"); nothing was changed\n')
    expect(terminal.asked).toEqual([
      {
        question: `This will wipe the key of the Tinjau profile in ${dataDir}. Its decisions, clips and media can never be read again, here or anywhere. Type "wipe" to go on: `,
        hidden: false,
      },
    ])
    expect(keyFileBytes(dataDir).equals(key)).toBe(true)
    const yes = await run(dataDir, ['wipe'], { ask: scriptedTerminal(['wipe']).ask })
    expect(yes.code, yes.stderr).toBe(0)
    expect(existsSync(profileKeyPath(dataDir))).toBe(false)
  })

  it('refuses without --yes when not at a terminal, and when there is no profile', async () => {
    const dataDir = await profileWithPack()
    const key = keyFileBytes(dataDir)
    const r = await run(dataDir, ['wipe'])
    expect(r.code).toBe(1)
    expect(r.stderr).toBe('tinjau: wipe needs --yes when not run in a terminal; nothing was changed\n')
    expect(keyFileBytes(dataDir).equals(key)).toBe(true)
    const none = await run(newDataDir(), ['wipe', '--yes'])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/^tinjau: there is no profile in .*; nothing was changed\n$/)
  })

  it("--delete-data removes the profile's files and nothing else of the folder", async () => {
    const dataDir = await profileWithPack()
    writeFileSync(path.join(dataDir, 'not-tinjau.txt'), 'keep me')
    const r = await run(dataDir, ['wipe', '--yes', '--delete-data'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/\nDeleted the profile's files \(tinjau\.sqlite, .*media, packs, tmp\); other files in .* were left alone\.\n$/)
    expect(readdirSync(dataDir)).toEqual(['not-tinjau.txt'])

    const whole = await profileWithPack()
    expect((await run(whole, ['wipe', '--yes', '--delete-data'])).code).toBe(0)
    expect(existsSync(whole)).toBe(false)
  })
})

describe('the terminal prompt', () => {
  it('does not echo a hidden answer, and echoes a visible one', async () => {
    const input = new PassThrough()
    const output = new PassThrough()
    let shown = ''
    output.on('data', (c: Buffer) => void (shown += c.toString()))
    const ask = terminalAsk(input, output)
    const hidden = ask('Passphrase: ', { hidden: true })
    input.write('s3cret words\r')
    expect(await hidden).toBe('s3cret words')
    expect(shown).toContain('Passphrase: ')
    expect(shown).not.toContain('s3cret')

    shown = ''
    const visible = ask('Type "wipe": ', { hidden: false })
    input.write('wipe\r')
    expect(await visible).toBe('wipe')
    expect(shown).toContain('wipe')
  })

  it('rejects when the input ends before an answer', async () => {
    const input = new PassThrough()
    const ask = terminalAsk(input, new PassThrough())
    const answer = ask('Passphrase: ', { hidden: true })
    input.end()
    await expect(answer).rejects.toThrow(/cancelled at the prompt/)
  })
})

it('test profiles made by the harness unlock with TEST_PASSPHRASE', async () => {
  const dataDir = newDataDir()
  await ensureTestProfileKey(dataDir)
  expect(await ensureTestProfileKey(dataDir)).toBeNull()
  await expect(unlockProfileKey(dataDir, { passphrase: TEST_PASSPHRASE })).resolves.toBeTruthy()
})
