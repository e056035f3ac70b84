#!/usr/bin/env node
'use strict'
// `tinjau-server`: the sync service and its operator commands. The TypeScript is built
// with the app by `npm run build` into out/main/server.js; this stub only finds it.
const fs = require('node:fs')
const path = require('node:path')

const server = path.join(__dirname, '..', 'out', 'main', 'server.js')
if (!fs.existsSync(server)) {
  process.stderr.write('tinjau-server: not built yet — run "npm run build" first\n')
  process.exit(1)
}
require(server)
