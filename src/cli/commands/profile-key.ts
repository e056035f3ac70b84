import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { DEVICE_KEY_FILE } from '../../core/device-key'
import { dataPaths } from '../../core/paths'
import { checkPassphrase, hasProfileKey, PROFILE_KEY_FILE, ProfileKeyError, setPassphrase, unlockProfileKey } from '../../core/profile-crypto/profile-key-file'
import { wipeProfile } from '../../core/profile-crypto/wipe-profile'
import { SYNC_TOKEN_FILE } from '../../core/sync/token-store'
import type { CliContext } from '../context'
import { EXIT } from '../exit-codes'
import { accessOrRefuse, ask, NEW_PASSPHRASE_ENV, newPassphrase, osStoreOnlyMessage, PASSPHRASE_ENV, refuse, unlockOrRefuse, wipedMessage } from '../unlock'

/**
 * `passphrase` and `wipe`: the profile's key file (docs/encryption.md). Neither opens the
 * database: changing the passphrase rewraps the same master key, and wiping needs no
 * passphrase at all (the confirmation is the guard), so a found laptop can be wiped by
 * whoever has its files.
 */

/** What `wipe --delete-data` removes: Tinjau's own entries, never anything else in the folder (it may be Electron's userData, or a folder given by mistake). */
function profileEntries(dataDir: string): string[] {
  const p = dataPaths(dataDir)
  const files = [p.database, `${p.database}-wal`, `${p.database}-shm`, `${p.database}-journal`, path.join(dataDir, DEVICE_KEY_FILE), path.join(dataDir, SYNC_TOKEN_FILE)]
  // Key files a crash left under their temporary name (profile-key-file.ts writes `<file>.<hex>.tmp`).
  const stale = existsSync(dataDir) ? readdirSync(dataDir).filter((n) => n.startsWith(`${PROFILE_KEY_FILE}.`) && n.endsWith('.tmp')) : []
  return [...files, ...stale.map((n) => path.join(dataDir, n)), p.media, p.packs, p.tmp].filter((f) => existsSync(f))
}

export function registerProfileKey(program: Command, ctx: CliContext): void {
  program
    .command('passphrase')
    .description(`change the profile's passphrase (non-interactively: ${PASSPHRASE_ENV} and ${NEW_PASSPHRASE_ENV})`)
    .action(async () => {
      const dataDir = ctx.dataDir()
      const access = accessOrRefuse(ctx.io, dataDir)
      if (access.state === 'new') refuse(ctx.io, `there is no profile in ${dataDir}; nothing was changed`, EXIT.refused)
      if (access.state === 'clear') refuse(ctx.io, `the profile in ${dataDir} is not encrypted yet: run any command that opens it (e.g. tinjau queue) to encrypt it with a passphrase; nothing was changed`, EXIT.refused)
      if (access.state === 'wiped') refuse(ctx.io, wipedMessage(dataDir))
      if (!access.info.hasPassphrase) refuse(ctx.io, osStoreOnlyMessage(dataDir))
      const oldGiven = ctx.env[PASSPHRASE_ENV]
      if (oldGiven === undefined && !ctx.io.ask) refuse(ctx.io, `changing the passphrase of the profile in ${dataDir} needs the current one: set ${PASSPHRASE_ENV} and ${NEW_PASSPHRASE_ENV}, or run tinjau in a terminal`)
      const current = oldGiven ?? (await ask(ctx.io, `Current passphrase for the Tinjau profile in ${dataDir}: `, true))
      const { master } = await unlockOrRefuse(ctx.io, dataDir, current)
      const newGiven = ctx.env[NEW_PASSPHRASE_ENV]
      if (newGiven !== undefined) {
        const weak = checkPassphrase(newGiven)
        if (weak) refuse(ctx.io, `${NEW_PASSPHRASE_ENV}: ${weak}; nothing was changed`, EXIT.refused)
      }
      if (newGiven === undefined && !ctx.io.ask) refuse(ctx.io, `the new passphrase is missing: set ${NEW_PASSPHRASE_ENV}, or run tinjau in a terminal to be asked for it; nothing was changed`)
      const next = newGiven ?? (await newPassphrase(ctx.io, 'a new passphrase is needed', 'New passphrase: '))
      await setPassphrase(dataDir, master, next)
      // Proof the file now opens with the new one, before saying so.
      await unlockProfileKey(dataDir, { passphrase: next }).catch((err: unknown) => {
        throw err instanceof ProfileKeyError ? new Error(`the new passphrase was written but does not open ${err.file}: ${err.message}`) : err
      })
      ctx.out(`Changed the passphrase of the profile in ${dataDir}. The old passphrase no longer opens it; the data was not re-encrypted (the profile's key is the same, only its wrap changed).`)
    })

  program
    .command('wipe')
    .description("wipe the profile's key so its data can no longer be read by anyone; asks to type \"wipe\" unless --yes")
    .option('--yes', 'do not ask (needed when not run in a terminal)')
    .option('--delete-data', "also delete the profile's files (database, media, packs, device key, sync token) from the data folder")
    .action(async (opts: { yes?: boolean; deleteData?: boolean }) => {
      const dataDir = ctx.dataDir()
      const keyed = hasProfileKey(dataDir)
      const entries = profileEntries(dataDir)
      if (!keyed && entries.length === 0) refuse(ctx.io, `there is no profile in ${dataDir}; nothing was changed`, EXIT.refused)
      if (!keyed && !opts.deleteData) {
        const access = accessOrRefuse(ctx.io, dataDir)
        if (access.state === 'wiped') {
          ctx.out(`The profile in ${dataDir} was wiped already: its key file is gone and its data can no longer be read. (--delete-data also removes its files.)`)
          return
        }
        refuse(ctx.io, `the profile in ${dataDir} is not encrypted, so there is no key to wipe: open it once with this version to encrypt it, or use --delete-data to delete its files; nothing was changed`, EXIT.refused)
      }
      if (!opts.yes) {
        if (!ctx.io.ask) refuse(ctx.io, `wipe needs --yes when not run in a terminal; nothing was changed`, EXIT.usage)
        const what = opts.deleteData ? `wipe the key of the Tinjau profile in ${dataDir} and delete its files` : `wipe the key of the Tinjau profile in ${dataDir}`
        const answer = await ask(ctx.io, `This will ${what}. Its decisions, clips and media can never be read again, here or anywhere. Type "wipe" to go on: `, false)
        if (answer.trim() !== 'wipe') refuse(ctx.io, 'not wiped (the answer was not "wipe"); nothing was changed', EXIT.refused)
      }
      const lines: string[] = []
      if (keyed) {
        const wiped = wipeProfile(dataDir)
        const creds = wiped.credentials.length > 0 ? ` Removed this device's credentials too (${wiped.credentials.join(', ')}).` : ''
        lines.push(
          `Wiped the key of the profile in ${dataDir}: ${PROFILE_KEY_FILE} was overwritten and removed. Its database, media and packs can no longer be read by anyone, on this device or another.${creds}`,
          'A Tinjau app that has this profile open still holds the key until it closes: close it.',
        )
      }
      if (opts.deleteData) {
        const left = profileEntries(dataDir)
        for (const entry of left) rmSync(entry, { recursive: true, force: true })
        let removedFolder = false
        try {
          if (readdirSync(dataDir).length === 0) {
            rmdirSync(dataDir)
            removedFolder = true
          }
        } catch {
          // Left in place: it holds other files, or is gone already.
        }
        lines.push(`Deleted the profile's files (${left.map((e) => path.relative(dataDir, e)).join(', ')})${removedFolder ? ` and the empty folder ${dataDir}` : `; other files in ${dataDir} were left alone`}.`)
      }
      ctx.out(lines.join('\n'))
    })
}
