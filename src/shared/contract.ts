import { z } from 'zod'
import type { ApiEvent, ApiMethod } from './api-methods'
import {
  AppInfo,
  AuditCheck,
  ClipDetail,
  DecisionDraft,
  DecisionRecord,
  ImportSummary,
  Locale,
  QueuePage,
  QueueQuery,
} from './domain'
import { Policy } from './policy'
import { SkipInput, SkipRecord, WellnessSettings } from './wellness'

/**
 * The API every host serves, defined once. Electron binds it to ipcMain.handle, the web
 * host to POST /api/<method>; both validate input with these schemas via `dispatch`.
 */

const Empty = z.object({}).strict().default({})
const ClipRef = z.object({ clipId: z.string().min(1).max(128) }).strict()

export const contract = {
  'app.info': { input: Empty, output: AppInfo },
  'settings.setLocale': { input: z.object({ locale: Locale }).strict(), output: z.object({ locale: Locale }) },
  'settings.get': { input: Empty, output: z.object({ locale: Locale, wellness: WellnessSettings }) },
  'settings.setWellness': { input: WellnessSettings, output: WellnessSettings },
  'policy.get': { input: Empty, output: Policy },
  'queue.list': { input: QueueQuery.strict(), output: QueuePage },
  'clip.get': { input: ClipRef, output: ClipDetail },
  'clip.skip': { input: SkipInput, output: SkipRecord },
  'decision.record': { input: DecisionDraft.strict(), output: DecisionRecord },
  'decision.list': {
    input: z
      .object({
        clipId: z.string().min(1).max(128).optional(),
        limit: z.number().int().min(1).max(1000).default(100),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    output: z.object({ items: z.array(DecisionRecord), total: z.number().int() }),
  },
  'pack.importDemo': { input: Empty, output: ImportSummary },
  'pack.importDirectory': { input: z.object({ path: z.string().min(1).max(4096) }).strict(), output: ImportSummary },
  'audit.verify': { input: Empty, output: AuditCheck },
} satisfies Record<ApiMethod, { input: z.ZodType; output: z.ZodType }>

export const events = {
  'queue.changed': z.object({ reason: z.enum(['import', 'decision', 'skip', 'settings']) }),
} satisfies Record<ApiEvent, z.ZodType>

type Contract = typeof contract
export type MethodInput<M extends ApiMethod> = z.input<Contract[M]['input']>
export type ParsedInput<M extends ApiMethod> = z.output<Contract[M]['input']>
export type MethodOutput<M extends ApiMethod> = z.output<Contract[M]['output']>
export type EventPayload<E extends ApiEvent> = z.output<(typeof events)[E]>

/** What a host binds: one function per method, given already-validated input. */
export type Handlers = { [M in ApiMethod]: (input: ParsedInput<M>) => MethodOutput<M> | Promise<MethodOutput<M>> }

/** What the renderer calls, whatever host is behind it. */
export interface TinjauApi {
  call<M extends ApiMethod>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>
  on<E extends ApiEvent>(event: E, listener: (payload: EventPayload<E>) => void): () => void
  /** A URL the host serves the content-addressed media object at. */
  mediaUrl(sha256: string): string
}

// Compile-time check that the name list and the schemas agree both ways.
type Missing = Exclude<ApiMethod, keyof Contract> | Exclude<keyof Contract, ApiMethod>
const _allMethodsDefined: Missing extends never ? true : never = true
void _allMethodsDefined
