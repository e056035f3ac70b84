import { main } from './program'
import { processIo } from './io'

/** Entry point built to out/main/cli.js (run through bin/tinjau.js). */
void main(process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code
})
