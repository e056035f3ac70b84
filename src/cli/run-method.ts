import type { ApiMethod } from '../shared/api-methods'
import type { MethodInput, MethodOutput } from '../shared/contract'
import { dispatch } from '../shared/dispatch'
import type { ApiError } from '../shared/errors'
import type { CliContext } from './context'
import { CliExit, exitCodeFor } from './exit-codes'
import { reportError } from './report'

/**
 * Call a contract method through the same `dispatch` Electron and the web host use, so
 * the CLI validates exactly as they do. On refusal, write the reason and end the run with
 * exit code 2 (3 for an internal error). `hint` may add a line telling what to do next.
 */
export async function runMethod<M extends ApiMethod>(
  ctx: CliContext,
  method: M,
  input: MethodInput<M>,
  hint?: (error: ApiError) => Promise<string | undefined> | string | undefined,
): Promise<MethodOutput<M>> {
  const profile = await ctx.profile()
  const result = await dispatch(
    profile.handlers,
    method,
    input,
    (err) => {
      ctx.io.stderr(`tinjau: internal error in ${method}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    },
    profile.gate,
  )
  if (result.ok) return result.value as MethodOutput<M>
  reportError(ctx.io, result.error, hint ? await hint(result.error) : undefined)
  throw new CliExit(exitCodeFor(result.error))
}
