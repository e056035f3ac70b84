import { ESLint } from 'eslint'
import { describe, expect, test } from 'vitest'

// The layering rule lives in eslint.config.mjs; this proves it bites, so it cannot rot
// into a rule that silently allows everything.
const eslint = new ESLint({ cwd: process.cwd() })

async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file })
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

describe('layering (DESIGN.md: arrows only point down)', () => {
  test('the renderer may not import core, hosts or Node', async () => {
    expect(await restricted('src/renderer/x.ts', "import { openTinjau } from '../core/tinjau'\nexport { openTinjau }\n")).toHaveLength(1)
    expect(await restricted('src/renderer/x.ts', "import fs from 'node:fs'\nexport { fs }\n")).toHaveLength(1)
    expect(await restricted('src/renderer/x.ts', "import path from 'path'\nexport { path }\n")).toHaveLength(1)
    expect(await restricted('src/renderer/x.ts', "import { ipcRenderer } from 'electron'\nexport { ipcRenderer }\n")).toHaveLength(1)
    expect(await restricted('src/renderer/x.ts', "import { x } from '../main/ipc'\nexport { x }\n")).toHaveLength(1)
    expect(await restricted('src/renderer/x.ts', "import { contract } from '../shared/contract'\nexport { contract }\n")).toEqual([])
  })

  test('shared imports nothing of ours and nothing Node-only', async () => {
    expect(await restricted('src/shared/x.ts', "import { Queue } from '../core/queue'\nexport { Queue }\n")).toHaveLength(1)
    expect(await restricted('src/shared/x.ts', "import Database from 'better-sqlite3'\nexport { Database }\n")).toHaveLength(1)
    expect(await restricted('src/shared/x.ts', "import React from 'react'\nexport { React }\n")).toHaveLength(1)
  })

  test('core never imports Electron, React or a host', async () => {
    expect(await restricted('src/core/x.ts', "import { app } from 'electron'\nexport { app }\n")).toHaveLength(1)
    expect(await restricted('src/core/x.ts', "import React from 'react'\nexport { React }\n")).toHaveLength(1)
    expect(await restricted('src/core/x.ts', "import { startWebHost } from '../web/server'\nexport { startWebHost }\n")).toHaveLength(1)
    expect(await restricted('src/core/x.ts', "import fs from 'node:fs'\nexport { fs }\n")).toEqual([])
  })

  test('the web host and CLI never import Electron', async () => {
    expect(await restricted('src/web/x.ts', "import { app } from 'electron'\nexport { app }\n")).toHaveLength(1)
    expect(await restricted('src/cli/x.ts', "import { app } from 'electron'\nexport { app }\n")).toHaveLength(1)
  })

  test('the lead console talks only to the service: no core, server, reviewer app or Node', async () => {
    expect(await restricted('src/lead/x.ts', "import { listDisputes } from '../server/ops/lead-views'\nexport { listDisputes }\n")).toHaveLength(1)
    expect(await restricted('src/lead/x.ts', "import { openTinjau } from '../core/tinjau'\nexport { openTinjau }\n")).toHaveLength(1)
    expect(await restricted('src/lead/x.ts', "import { App } from '../renderer/App'\nexport { App }\n")).toHaveLength(1)
    expect(await restricted('src/lead/x.ts', "import fs from 'node:fs'\nexport { fs }\n")).toHaveLength(1)
    expect(await restricted('src/lead/x.ts', "import { DisputeList } from '../shared/lead-api'\nimport { WellnessControls } from '../ui/WellnessControls'\nexport { DisputeList, WellnessControls }\n")).toEqual([])
  })

  test('ui, shared by both consoles, imports neither console nor anything below shared', async () => {
    expect(await restricted('src/ui/x.ts', "import { App } from '../renderer/App'\nexport { App }\n")).toHaveLength(1)
    expect(await restricted('src/ui/x.ts', "import { Shell } from '../lead/Shell'\nexport { Shell }\n")).toHaveLength(1)
    expect(await restricted('src/ui/x.ts', "import { Queue } from '../core/queue'\nexport { Queue }\n")).toHaveLength(1)
    expect(await restricted('src/ui/x.ts', "import os from 'node:os'\nexport { os }\n")).toHaveLength(1)
    expect(await restricted('src/renderer/x.ts', "import { Shell } from '../lead/Shell'\nexport { Shell }\n")).toHaveLength(1)
    expect(await restricted('src/shared/x.ts', "import { isProtected } from '../ui/wellness'\nexport { isProtected }\n")).toHaveLength(1)
  })
})
