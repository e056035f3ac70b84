import { mkdirSync } from 'node:fs'
import { checkPassphrase, ProfileKeyError, profileKeyPath } from '../core/profile-crypto/profile-key-file'
import type { ProfileKeys } from '../core/profile-crypto/profile-keys'
import { profileAccess, unlockProfile, type ProfileAccess } from '../core/profile-crypto/unlock-profile'
import { CliExit, EXIT } from './exit-codes'
import type { CliIo } from './io'
import { PromptCancelled } from './prompt'

/**
 * How the CLI gets a profile's keys (docs/encryption.md, "The CLI"): the passphrase from
 * TINJAU_PASSPHRASE, else asked at the terminal, else a clear refusal. A new profile's
 * passphrase is asked twice. Nothing is written unless the passphrase is right (or, for a
 * new profile, confirmed): a wrong one changes nothing.
 */

export const PASSPHRASE_ENV = 'TINJAU_PASSPHRASE'
export const NEW_PASSPHRASE_ENV = 'TINJAU_NEW_PASSPHRASE'
/** Tries at the terminal before giving up, as sudo does. */
const TRIES = 3

/** Write `tinjau: <message>` and end the run with `code`. */
export function refuse(io: CliIo, message: string, code: (typeof EXIT)[keyof typeof EXIT] = EXIT.locked): never {
  io.stderr(`tinjau: ${message}\n`)
  throw new CliExit(code)
}

const noTerminal = (what: string) => `${what}: set ${PASSPHRASE_ENV}, or run tinjau in a terminal to be asked for it`

export async function unlockForCli(dataDir: string, io: CliIo, env: Record<string, string | undefined>): Promise<ProfileKeys> {
  const access = accessOrRefuse(io, dataDir)
  const given = env[PASSPHRASE_ENV]
  if (access.state === 'wiped') refuse(io, wipedMessage(dataDir))
  if (access.state === 'locked') {
    if (!access.info.hasPassphrase) refuse(io, osStoreOnlyMessage(dataDir))
    if (given !== undefined) return (await unlockOrRefuse(io, dataDir, given)).keys
    if (!io.ask) refuse(io, noTerminal(`the profile in ${dataDir} is encrypted and needs its passphrase`))
    for (let attempt = 1; ; attempt++) {
      const passphrase = await ask(io, `Passphrase for the Tinjau profile in ${dataDir}: `, true)
      try {
        return (await unlockProfile(dataDir, { passphrase })).keys
      } catch (err) {
        if (!(err instanceof ProfileKeyError) || err.code !== 'wrong_passphrase' || attempt >= TRIES) throw describe(io, dataDir, err)
        io.stderr('That passphrase is not right; try again.\n')
      }
    }
  }
  // new or clear: this run makes the profile's key.
  const isNew = access.state === 'new'
  const passphrase =
    given ??
    (await newPassphrase(
      io,
      `the profile in ${dataDir} is ${isNew ? 'new' : 'not encrypted yet'} and needs a passphrase to encrypt it`,
      isNew ? `Choose a passphrase for the new Tinjau profile in ${dataDir}: ` : `Choose a passphrase to encrypt the Tinjau profile in ${dataDir}: `,
    ))
  const weak = checkPassphrase(passphrase)
  if (weak) refuse(io, `${PASSPHRASE_ENV}: ${weak}; the profile in ${dataDir} was not created`, EXIT.refused)
  mkdirSync(dataDir, { recursive: true })
  if (access.state === 'clear') io.stderr(`Encrypting the profile in ${dataDir} with the new passphrase…\n`)
  return (await unlockOrRefuse(io, dataDir, passphrase)).keys
}

/** A new passphrase, typed twice at the terminal (checked for strength before the second time). */
export async function newPassphrase(io: CliIo, whatIfNoTerminal: string, question: string): Promise<string> {
  if (!io.ask) refuse(io, noTerminal(whatIfNoTerminal))
  for (let attempt = 1; ; attempt++) {
    const first = await ask(io, question, true)
    const weak = checkPassphrase(first)
    if (!weak && (await ask(io, 'Type it again to confirm: ', true)) === first) return first
    const why = weak ? `${weak}.` : 'The two did not match.'
    if (attempt >= TRIES) refuse(io, `${why.replace(/\.$/, '')}; nothing was changed`, EXIT.refused)
    io.stderr(`${why} Try again.\n`)
  }
}

export async function ask(io: CliIo, question: string, hidden: boolean): Promise<string> {
  try {
    return await io.ask!(question, { hidden })
  } catch (err) {
    if (err instanceof PromptCancelled) refuse(io, `${err.message}; nothing was changed`, EXIT.refused)
    throw err
  }
}

export function accessOrRefuse(io: CliIo, dataDir: string): ProfileAccess {
  try {
    return profileAccess(dataDir)
  } catch (err) {
    throw describe(io, dataDir, err)
  }
}

export async function unlockOrRefuse(io: CliIo, dataDir: string, passphrase: string) {
  try {
    return await unlockProfile(dataDir, { passphrase })
  } catch (err) {
    throw describe(io, dataDir, err)
  }
}

export function wipedMessage(dataDir: string): string {
  return `the profile in ${dataDir} was wiped (its key file ${profileKeyPath(dataDir)} is gone): its data can no longer be read. To start afresh, use another --data-dir or remove this one (tinjau wipe --delete-data)`
}

export function osStoreOnlyMessage(dataDir: string): string {
  return `the profile in ${dataDir} is sealed only by the OS key store of the Tinjau app that made it, and has no passphrase: open it in the Tinjau app and set a passphrase there to use it from the command line`
}

/** A ProfileKeyError as the reviewer is told it (then the run ends); anything else goes on as it is. */
function describe(io: CliIo, dataDir: string, err: unknown): unknown {
  if (!(err instanceof ProfileKeyError)) return err
  switch (err.code) {
    case 'wrong_passphrase':
      return refuseNow(io, `the passphrase for the profile in ${dataDir} is not right (${PASSPHRASE_ENV} or the one typed); nothing was changed`)
    case 'no_wrap':
      return refuseNow(io, osStoreOnlyMessage(dataDir))
    case 'missing':
      return refuseNow(io, wipedMessage(dataDir))
    case 'weak_passphrase':
      return refuseNow(io, `${err.message}; nothing was changed`, EXIT.refused)
    default:
      return refuseNow(io, err.message)
  }
}

function refuseNow(io: CliIo, message: string, code: (typeof EXIT)[keyof typeof EXIT] = EXIT.locked): CliExit {
  io.stderr(`tinjau: ${message}\n`)
  return new CliExit(code)
}
