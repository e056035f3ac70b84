import { buildProgram, describeError } from './program'

/** Entry point built to out/main/server.js (run through bin/tinjau-server.js). */
buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`tinjau-server: ${describeError(err)}\n`)
    process.exit(1)
  })
