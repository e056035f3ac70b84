import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { Hono } from 'hono'
import { z } from 'zod'
import {
  AdjudicateBody,
  AssignBody,
  ExportBody,
  NewLeadBody,
  NewReviewerBody,
  LEAD_API_PATH,
  LEAD_ROUTES,
  QaRuleBody,
  UnassignBody,
  type AssignResult,
  type EnrollmentCodeResult,
  type ExportRun,
  type LeadAccount,
  type PackLoadResult,
  type ReviewerAccount,
} from '../../shared/lead-api'
import type { Policy } from '../../shared/policy'
import { one, rows, sql, textArray, type Db } from '../db/open'
import { schemaError, ServerError } from '../errors'
import type { MediaStore } from '../media'
import { adjudicate } from '../ops/adjudicate'
import { assign, unassign } from '../ops/assignments'
import { dsaFileName, dsaRunFiles, listDsaRuns, runDsaExport } from '../ops/export'
import { addLead, audit, listLeads } from '../ops/leads'
import { clipDetail, listDeviceSync, listDisputes, outcomeById, overview } from '../ops/lead-views'
import { loadPack } from '../ops/packs'
import { agreementReport, drawQaSample, listQaRules, setQaRule } from '../ops/qa'
import { addReviewer, DEFAULT_CODE_TTL_MS, enrollmentCode, revokeDevice } from '../ops/reviewers'
import { saveBody } from './body'
import { addLeadSessionRoutes, readLeadJson, requireLead, sameOriginOnly, type LeadEnv } from './lead-auth'
import { mediaResponse, SHA256_HEX } from './media-route'

/**
 * The lead console's API (docs/lead-api.md; schemas in src/shared/lead-api.ts), mounted at
 * `/lead/api`. Every request is checked for a same-site origin when it changes anything,
 * every route but the session's needs a lead session, and the admin routes the admin role.
 * The operations are the CLI's (src/server/ops): the console can do nothing the operator's
 * tools could not, and every change it makes is audited under `lead:<id>`.
 */

export interface LeadApiOptions {
  db: Db
  media: MediaStore
  tmpDir: string
  policy: Policy
  /** Origins that also count as this site (behind a proxy that ends TLS). */
  origins?: readonly string[]
  secureCookie?: boolean
}

/** The largest field pack taken by upload; larger packs are loaded with `tinjau-server pack load`. */
export const MAX_PACK_UPLOAD_BYTES = 8 * 1024 ** 3

const DisputeQuery = z.strictObject({
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  pack: z.string().min(1).max(128).optional(),
})

function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(query)
  if (!parsed.success) throw schemaError('query', parsed.error)
  return parsed.data
}

const ReportQuery = z.strictObject({ from: z.string().max(40).optional(), to: z.string().max(40).optional(), pack: z.string().min(1).max(128).optional() })

const actor = (lead: { id: string }) => `lead:${lead.id}`

export function createLeadApi(opts: LeadApiOptions): Hono<LeadEnv> {
  const { db } = opts
  const api = new Hono<LeadEnv>()
  api.use('*', sameOriginOnly({ origins: opts.origins ?? [] }))
  api.use('*', async (c, next) => {
    await next()
    // Nothing a lead reads may sit in a shared cache.
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store')
  })
  // Every route but the session's needs a lead (an unknown route too: it answers nothing to strangers).
  const lead = requireLead(db)
  const admin = requireLead(db, 'admin')
  api.use('*', async (c, next) => {
    const route = c.req.path.startsWith(LEAD_API_PATH) ? c.req.path.slice(LEAD_API_PATH.length) : c.req.path
    if (route === LEAD_ROUTES.session) return next()
    return (route.startsWith('/admin/') || route === '/admin' ? admin : lead)(c, next)
  })
  addLeadSessionRoutes(api, { db, origins: opts.origins ?? [], ...(opts.secureCookie === undefined ? {} : { secureCookie: opts.secureCookie }) })

  api.get('/overview', async (c) => c.json(await overview(db)))

  api.post('/packs', async (c) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/zip' && type !== 'application/octet-stream') {
      throw new ServerError('invalid_request', 'send the field pack as its .zip file, with "Content-Type: application/zip"', [{ path: 'header.content-type', message: 'must be application/zip' }])
    }
    const file = path.join(opts.tmpDir, `pack-${randomBytes(8).toString('hex')}.zip`)
    try {
      await saveBody(c.req.raw, file, MAX_PACK_UPLOAD_BYTES, 'field pack')
      const r = await loadPack(db, opts.media, file)
      await audit(db, actor(c.get('lead')), 'pack.load', r.packId, { clips: r.clips, added: r.added, updated: r.updated, already_loaded: r.alreadyLoaded })
      const body: PackLoadResult = { pack_id: r.packId, clips: r.clips, added: r.added, updated: r.updated, already_loaded: r.alreadyLoaded }
      return c.json(body)
    } finally {
      await rm(file, { force: true })
    }
  })

  api.post('/assignments', async (c) => {
    const body = await readLeadJson(c, AssignBody)
    if (body.mode === 'count' && body.count === undefined) throw new ServerError('invalid_request', 'mode "count" needs a count', [{ path: 'body.count', message: 'required with mode "count"' }])
    const reviewers = [...new Set(body.reviewer_ids)]
    const known = new Set((await rows<{ id: string }>(db, sql`SELECT id FROM reviewers WHERE id = ANY(${textArray(reviewers)})`)).map((r) => r.id))
    const unknown = reviewers.filter((r) => !known.has(r))
    if (unknown.length > 0) throw new ServerError('not_found', `no reviewer ${unknown.map((u) => `"${u}"`).join(', ')}`, unknown.map((u) => ({ path: 'body.reviewer_ids', message: `no reviewer "${u}"` })))
    if (!(await one(db, sql`SELECT 1 FROM packs WHERE id = ${body.pack_id}`))) throw new ServerError('not_found', `no pack "${body.pack_id}" has been loaded`)
    const clips = await selectClips(db, body)
    const changed: Record<string, number> = {}
    if (clips.length > 0) {
      const shares = body.split ? reviewers.map((_, i) => clips.filter((_, k) => k % reviewers.length === i)) : reviewers.map(() => clips)
      for (const [i, reviewer] of reviewers.entries()) changed[reviewer] = shares[i]!.length > 0 ? await assign(db, body.pack_id, reviewer, shares[i]) : 0
    } else for (const reviewer of reviewers) changed[reviewer] = 0
    await audit(db, actor(c.get('lead')), 'assignments.assign', body.pack_id, { reviewers, mode: body.mode, filter: body.filter ?? null, count: body.count ?? null, split: body.split ?? false, clips: clips.length, changed })
    const result: AssignResult = { changed, clips: clips.length }
    return c.json(result)
  })

  api.post('/assignments/remove', async (c) => {
    const body = await readLeadJson(c, UnassignBody, 4 * 1024 * 1024)
    const n = await unassign(db, body.pack_id, body.reviewer_id, body.clip_ids)
    await audit(db, actor(c.get('lead')), 'assignments.unassign', body.pack_id, { reviewer: body.reviewer_id, clips: body.clip_ids?.length ?? 'all', changed: n })
    const result: AssignResult = { changed: { [body.reviewer_id]: n }, clips: body.clip_ids?.length ?? n }
    return c.json(result)
  })

  api.get('/disputes', async (c) => {
    const q = parseQuery(DisputeQuery, c.req.query())
    return c.json(await listDisputes(db, { ...(q.cursor ? { cursor: q.cursor } : {}), ...(q.limit ? { limit: q.limit } : {}), ...(q.pack ? { packId: q.pack } : {}) }))
  })

  api.get('/clips/:id', async (c) => c.json(await clipDetail(db, c.req.param('id'))))

  api.post('/clips/:id/outcome', async (c) => {
    const body = await readLeadJson(c, AdjudicateBody)
    const { outcomeId } = await adjudicate(db, opts.policy, c.get('lead'), c.req.param('id'), body)
    return c.json(await outcomeById(db, outcomeId))
  })

  api.on(['GET', 'HEAD'], '/media/:sha', async (c) => {
    const sha = c.req.param('sha')
    if (!SHA256_HEX.test(sha)) throw new ServerError('invalid_request', 'a media address is a sha256: 64 lowercase hex characters', [{ path: 'path.sha256', message: '64 lowercase hex characters' }])
    // Only what belongs to a loaded clip: the store may hold staged or orphaned files.
    const held = await one<{ mime: string | null }>(
      db,
      sql`SELECT (SELECT mime FROM media_objects WHERE sha256 = ${sha}) AS mime
          WHERE EXISTS (SELECT 1 FROM clips WHERE media_sha256 = ${sha}) OR EXISTS (SELECT 1 FROM clips WHERE poster_sha256 = ${sha})`,
    )
    if (!held) throw new ServerError('not_found', `no clip has media ${sha}`)
    const res = await mediaResponse(opts.media, sha, held.mime, c.req.method, c.req.header('range'))
    res.headers.set('cache-control', 'private, no-store')
    return res
  })

  api.get('/policy', (c) => c.json(opts.policy))

  api.get('/qa/rules', async (c) => c.json(await listQaRules(db)))
  api.put('/qa/rules/:pack', async (c) => c.json(await setQaRule(db, actor(c.get('lead')), c.req.param('pack'), await readLeadJson(c, QaRuleBody))))
  api.post('/qa/draw/:pack', async (c) => c.json(await drawQaSample(db, c.req.param('pack'), actor(c.get('lead')))))
  api.get('/qa/report', async (c) => {
    const q = parseQuery(ReportQuery, c.req.query())
    return c.json(await agreementReport(db, { ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}), ...(q.pack ? { packId: q.pack } : {}) }))
  })

  api.get('/exports', async (c) => c.json((await listDsaRuns(db)) satisfies ExportRun[]))

  api.post('/exports', async (c) => {
    const body = await readLeadJson(c, ExportBody)
    const run = await runDsaExport(db, opts.policy, { sinceLast: body.since_last, actor: actor(c.get('lead')) })
    const summary = (await listDsaRuns(db, 10)).find((r) => r.id === run.runId)
    if (!summary) throw new ServerError('server_error', `export run ${run.runId} was recorded but cannot be read back`)
    return c.json(summary satisfies ExportRun)
  })

  api.get('/exports/:id/files/:idx', async (c) => {
    const idx = Number(c.req.param('idx'))
    const files = await dsaRunFiles(db, c.req.param('id'))
    if (!Number.isInteger(idx) || idx < 0 || idx >= files.length) throw new ServerError('not_found', `export run ${c.req.param('id')} has ${files.length} file(s); no file ${c.req.param('idx').slice(0, 20)}`)
    return c.body(files[idx]!, 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="${dsaFileName(idx)}"`,
    })
  })

  // ---- admin ------------------------------------------------------------------------------

  api.get('/admin/reviewers', async (c) => {
    const reviewers = await rows<{ id: string; name: string }>(db, sql`SELECT id, name FROM reviewers ORDER BY id`)
    const { list } = await listDeviceSync(db)
    const body: ReviewerAccount[] = reviewers.map((r) => ({ ...r, devices: list.filter((d) => d.reviewer_id === r.id) }))
    return c.json(body)
  })

  api.post('/admin/reviewers', async (c) => {
    const body = await readLeadJson(c, NewReviewerBody)
    await addReviewer(db, body.id, body.name)
    await audit(db, actor(c.get('lead')), 'reviewer.add', body.id, { name: body.name })
    const account: ReviewerAccount = { id: body.id, name: body.name.trim(), devices: [] }
    return c.json(account, 201)
  })

  api.post('/admin/reviewers/:id/codes', async (c) => {
    const reviewerId = c.req.param('id')
    const code = await enrollmentCode(db, reviewerId)
    await audit(db, actor(c.get('lead')), 'reviewer.code', reviewerId)
    const body: EnrollmentCodeResult = { reviewer_id: reviewerId, code, expires_at: new Date(Date.now() + DEFAULT_CODE_TTL_MS).toISOString() }
    c.header('cache-control', 'no-store')
    return c.json(body, 201)
  })

  api.post('/admin/devices/:id/revoke', async (c) => {
    const deviceId = c.req.param('id')
    await revokeDevice(db, deviceId)
    await audit(db, actor(c.get('lead')), 'device.revoke', deviceId)
    return c.json({ device_id: deviceId, revoked: true })
  })

  api.get('/admin/leads', async (c) => c.json((await listLeads(db)) satisfies LeadAccount[]))

  api.post('/admin/leads', async (c) => {
    const body = await readLeadJson(c, NewLeadBody, 16 * 1024)
    const added = await addLead(db, body, actor(c.get('lead')))
    return c.json(added satisfies LeadAccount, 201)
  })

  return api
}

/** The clips an assignment targets, in urgency order (overdue or authority first, then due time, then pack order). */
async function selectClips(db: Db, body: AssignBody): Promise<string[]> {
  const where = [sql`cl.pack_id = ${body.pack_id}`]
  const f = body.mode === 'all' ? {} : (body.filter ?? {})
  if (f.unassigned_only) where.push(sql`NOT EXISTS (SELECT 1 FROM assignments a WHERE a.clip_id = cl.id AND a.active)`)
  if (f.authority) where.push(sql`cl.authority`)
  if (f.min_priority !== undefined) where.push(sql`cl.priority >= ${f.min_priority}`)
  if (f.due_before !== undefined) where.push(sql`cl.due_at < ${f.due_before}`)
  const limit = body.mode === 'count' ? sql`LIMIT ${body.count!}` : sql``
  return (
    await rows<{ id: string }>(
      db,
      sql`SELECT cl.id FROM clips cl WHERE ${sql.join(where, sql` AND `)}
          ORDER BY CASE WHEN cl.authority OR cl.due_at < now() THEN 0 ELSE 1 END, cl.due_at ASC NULLS LAST, cl.idx ${limit}`,
    )
  ).map((r) => r.id)
}
