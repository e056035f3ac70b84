'use strict'
// The comparison half of bench/sync.bench.ts: the same decisions replicated by PouchDB
// into an express-pouchdb server on loopback, both on LevelDB files (as Tinjau's push is
// on SQLite and PostgreSQL files). Run by sync.bench.ts in a child process with NODE_PATH
// pointing at the packages it installed for the benchmark (none of them is the app's).
// Reads the decisions as JSON lines from argv[2]; prints one JSON line with the figures.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { performance } = require('node:perf_hooks')
const PouchDB = require('pouchdb-node')
const express = require('express')
const expressPouchDB = require('express-pouchdb')

async function main() {
  const decisions = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinjau-pouchdb-bench-'))
  const Remote = PouchDB.defaults({ prefix: path.join(dir, 'server-') })
  const app = express()
  app.use('/', expressPouchDB(Remote, { mode: 'minimumForPouchDB', logPath: path.join(dir, 'express-pouchdb.log') }))
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  try {
    const local = new PouchDB(path.join(dir, 'local'))
    // Setup, as Tinjau's decisions are recorded before its push is timed: the device's own database.
    await local.bulkDocs(decisions.map((d) => ({ ...d, _id: d.id })))
    const t0 = performance.now()
    const result = await local.replicate.to(`http://127.0.0.1:${server.address().port}/decisions`)
    const ms = performance.now() - t0
    const remote = new Remote('decisions')
    const info = await remote.info()
    process.stdout.write(`${JSON.stringify({ ms, written: result.docs_written, onServer: info.doc_count })}\n`)
    await local.close()
    await remote.close()
  } finally {
    server.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`)
  process.exit(1)
})
