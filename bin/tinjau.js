#!/usr/bin/env node
'use strict'
// `tinjau` on the command line. The CLI is TypeScript, built with the app by
// `npm run build` into out/main/cli.js; this stub only finds it.
const fs = require('node:fs')
const path = require('node:path')

const cli = path.join(__dirname, '..', 'out', 'main', 'cli.js')
if (!fs.existsSync(cli)) {
  process.stderr.write('tinjau: not built yet — run "npm run build" first\n')
  process.exit(1)
}
require(cli)
