import { unlockProfile } from '../unlock-profile'
import type { EncryptStep } from '../encrypt-in-place'

/**
 * The kill test's child (encrypt-in-place.kill.test.ts): unlocks the profile in argv[2] with
 * the test passphrase, which encrypts it in place, and SIGKILLs itself the n-th time the
 * state machine reaches step argv[3] (argv[4] = n) — a crash at a known point, no timing.
 */

const [dataDir, killStep, killN] = process.argv.slice(2)
if (!dataDir) throw new Error('usage: encrypt-child <dataDir> [step] [n]')

unlockProfile(
  dataDir,
  { passphrase: 'correct horse battery' },
  {
    scrypt: { N: 2 ** 10, r: 8, p: 1 },
    onStep: (step: EncryptStep, n: number) => {
      if (step === killStep && n === Number(killN ?? 1)) process.kill(process.pid, 'SIGKILL')
    },
  },
).then(
  (u) => {
    process.stdout.write(`finished ${u.encryptedInPlace?.outcome ?? 'nothing to do'}\n`)
  },
  (err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`)
    process.exitCode = 1
  },
)
