import { ESLint } from 'eslint'
import { describe, expect, test } from 'vitest'

// The server's block in eslint.config.mjs, proven to bite (as scripts/lint-layering.test.ts
// does for the other layers): core only through its storage-free allow-list, no host, no UI.
const eslint = new ESLint({ cwd: process.cwd() })

async function restricted(code: string): Promise<number> {
  const [result] = await eslint.lintText(`${code}\nexport {}\n`, { filePath: 'src/server/ops/x.ts' })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').length
}

describe('server layering', () => {
  test("refuses the app's store and whatever holds it", async () => {
    expect(await restricted("import { openTinjau } from '../../core/tinjau'")).toBe(1)
    expect(await restricted("import { openStore } from '../../core/store/open-store'")).toBe(1)
    expect(await restricted("import { importPack } from '../../core/pack-import/import-pack'")).toBe(1)
    expect(await restricted("import { recordDecision } from '../../core/decisions'")).toBe(1)
    expect(await restricted("import * as core from '../../core'")).toBe(1)
  })

  test('refuses hosts, the UI and Electron', async () => {
    expect(await restricted("import { createWebApp } from '../../web/app'")).toBe(1)
    expect(await restricted("import { main } from '../../cli/program'")).toBe(1)
    expect(await restricted("import { app } from 'electron'")).toBe(1)
  })

  test('allows the storage-free core modules and shared', async () => {
    expect(await restricted("import { verifyEd25519 } from '../../core/ed25519'")).toBe(0)
    expect(await restricted("import { ZipSource } from '../../core/pack-import/zip-source'")).toBe(0)
    expect(await restricted("import { statementMapper } from '../../core/export/dsa-map'")).toBe(0)
    expect(await restricted("import { PushRequest } from '../../shared/sync-protocol'")).toBe(0)
    expect(await restricted("import { writeHashList } from '../../core/hash-lists/hash-list-file'")).toBe(0)
  })
})
