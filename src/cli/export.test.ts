import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEVICE_KEY_FILE } from '../core/device-key'
import { CSV_COLUMNS } from '../core/export'
import { parseRfc4180 } from '../core/export/test-csv'
import { makePack, tempDir } from '../core/testing/make-pack'
import { validateDsaStatementsFile } from '../shared/dsa-statement'
import { runTinjau, tinjau } from './testing/run-tinjau'

let dataDir: string
let packDir: string
let outDir: string
const made: string[] = []
const scratch = (prefix: string) => {
  const dir = tempDir(prefix)
  made.push(dir)
  return dir
}
beforeEach(async () => {
  dataDir = path.join(scratch('tinjau-cli-'), 'profile')
  packDir = makePack(3, { root: scratch('tinjau-pack-') })
  outDir = scratch('tinjau-out-')
  expect((await tinjau(dataDir, 'import', packDir)).code).toBe(0)
})
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const NASTY = 'shop named "Toko, Jaya"\nsecond line, still the note'

async function decide(...args: string[]) {
  const r = await tinjau(dataDir, 'decide', ...args)
  expect(r.code, r.stderr).toBe(0)
}

async function someDecisions() {
  await decide('clip-000000', '--action', 'remove', '--category', 'violence.arson', '--rationale', NASTY)
  await decide('clip-000001', '--action', 'allow', '--category', 'ok.commerce')
  await decide('clip-000002', '--action', 'escalate', '--category', 'public_safety.coordination', '--escalation-target', 'imminent_harm', '--rationale', 'names a place')
}

describe('tinjau export --format pack / tinjau verify', () => {
  it('exports a signed pack that verifies; one changed byte makes verify fail and say what', async () => {
    await someDecisions()
    const file = path.join(outDir, 'decisions.zip')
    const r = await tinjau(dataDir, 'export', '--format', 'pack', '--out', file)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^Exported 3 decisions \(0 revisions, 3 clips, 1 pack\) to .*decisions\.zip \(.*\), signed by this device with ed25519:[A-Za-z0-9+/]{43}=\.\n$/)
    expect(existsSync(path.join(dataDir, DEVICE_KEY_FILE))).toBe(true)

    const ok = await tinjau(dataDir, 'verify', file)
    expect(ok.code, ok.stderr).toBe(0)
    expect(ok.stdout).toMatch(/^Decision pack OK: 3 decisions \(0 revisions\) on 3 clips from 1 pack, decided .* to .*\.\nExported .* by device [0-9a-f-]{36} \(reviewer .*\), signed with ed25519:/)
    const json = JSON.parse((await tinjau(dataDir, 'verify', file, '--json')).stdout)
    expect(json).toMatchObject({ ok: true, summary: { counts: { decisions: 3 } } })
    const key = json.summary.publicKey as string
    expect((await tinjau(dataDir, 'verify', file, '--public-key', key)).code).toBe(0)
    const other = await tinjau(dataDir, 'verify', file, '--public-key', `ed25519:${Buffer.alloc(32, 1).toString('base64')}`)
    expect(other.code).toBe(2)
    expect(other.stderr).toMatch(/signed by ed25519:.*, not by the expected key/)

    const bytes = readFileSync(file)
    // The last byte of decisions.sig's data: the zip still reads, the signature no longer matches.
    const sigAt = bytes.indexOf('decisions.sig') + 'decisions.sig'.length
    const dataEnd = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), sigAt)
    bytes[dataEnd - 1] = bytes[dataEnd - 1]! ^ 0x01
    const tampered = path.join(outDir, 'tampered.zip')
    writeFileSync(tampered, bytes)
    const bad = await tinjau(dataDir, 'verify', tampered)
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toMatch(/is not a valid decision pack:\n {2}.*(decisions\.sig does not match decisions\.json|CRC)/)

    // Any byte of the entries' names or data, wherever it is, is caught one way or another.
    const nameAt = 30
    const dataAt = nameAt + bytes.readUInt16LE(26) + bytes.readUInt16LE(28)
    for (const at of [nameAt + 3, dataAt, dataAt + Math.floor(bytes.readUInt32LE(18) / 2), sigAt - 2]) {
      const flipped = readFileSync(file)
      flipped[at] = flipped[at]! ^ 0x20
      writeFileSync(tampered, flipped)
      const v = await tinjau(dataDir, 'verify', tampered)
      expect(v.code, `byte ${at}`).toBe(2)
      expect(v.stderr).toMatch(/is not a valid decision pack:\n {2}\S/)
    }
  })

  it('verify needs no profile, and names a file that is not there', async () => {
    const r = await runTinjau(['--data-dir', path.join(outDir, 'no-profile'), 'verify', path.join(outDir, 'missing.zip')])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/not a readable zip file/)
    expect(existsSync(path.join(outDir, 'no-profile'))).toBe(false)
  })

  it('selects by --pack, --from and --to, and refuses what it cannot read', async () => {
    await someDecisions()
    const count = async (...args: string[]) => {
      const file = path.join(outDir, `sel-${Math.random().toString(36).slice(2)}.zip`)
      const r = await tinjau(dataDir, 'export', '--format', 'pack', '--out', file, '--json', ...args)
      expect(r.code, r.stderr).toBe(0)
      return (JSON.parse(r.stdout) as { counts: { decisions: number } }).counts.decisions
    }
    expect(await count('--pack', 'pk-test-01')).toBe(3)
    expect(await count('--from', '2000-01-01', '--to', '2100-01-01')).toBe(3)
    expect(await count('--to', '2000-01-01')).toBe(0)

    const unknown = await tinjau(dataDir, 'export', '--format', 'pack', '--out', path.join(outDir, 'x.zip'), '--pack', 'pk-nope')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^tinjau: no pack with id "pk-nope" was imported/)
    const time = await tinjau(dataDir, 'export', '--format', 'pack', '--out', path.join(outDir, 'x.zip'), '--from', 'last week')
    expect(time.code).toBe(2)
    expect(time.stderr).toMatch(/from: "last week" is not a time/)
    const format = await tinjau(dataDir, 'export', '--format', 'xml', '--out', path.join(outDir, 'x.zip'))
    expect(format.code).toBe(1)
    expect(format.stderr).toMatch(/Allowed choices are pack, dsa, csv/)
    const file = path.join(outDir, 'twice.zip')
    expect((await tinjau(dataDir, 'export', '--format', 'pack', '--out', file)).code).toBe(0)
    const again = await tinjau(dataDir, 'export', '--format', 'pack', '--out', file)
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already exists/)
    expect((await tinjau(dataDir, 'export', '--format', 'pack', '--out', file, '--force')).code).toBe(0)
  })
})

describe('tinjau export --format dsa', () => {
  it('writes statement files that validate, for restrictive decisions only', async () => {
    await someDecisions()
    const dir = path.join(outDir, 'dsa')
    const r = await tinjau(dataDir, 'export', '--format', 'dsa', '--out', dir)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^Wrote 1 statement of reasons in 1 file to .*dsa \(2 decisions in force gave none: 2 not restrictive, 0 with an action the policy does not know\)\.\n$/)
    expect(readdirSync(dir)).toEqual(['dsa-statements-0001.json'])
    const body = JSON.parse(readFileSync(path.join(dir, 'dsa-statements-0001.json'), 'utf8'))
    expect(validateDsaStatementsFile(body)).toMatchObject({ ok: true })
    expect(body.statements[0]).toMatchObject({ decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'], category: 'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY' })
    const again = await tinjau(dataDir, 'export', '--format', 'dsa', '--out', dir)
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already holds 1 export file/)
  })
})

describe('tinjau export --format csv', () => {
  it('round-trips a note with commas, quotes and a line break', async () => {
    await someDecisions()
    const file = path.join(outDir, 'decisions.csv')
    const r = await tinjau(dataDir, 'export', '--format', 'csv', '--out', file)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^Wrote 3 decisions to .*decisions\.csv\.\n$/)
    const text = readFileSync(file, 'utf8')
    expect(text.charCodeAt(0)).toBe(0xfeff)
    const [header, ...rows] = parseRfc4180(text.slice(1))
    expect(header).toEqual([...CSV_COLUMNS])
    expect(rows).toHaveLength(3)
    const rationale = CSV_COLUMNS.indexOf('rationale')
    expect(rows.map((row) => row[rationale])).toEqual([NASTY, '', 'names a place'])
  })
})
