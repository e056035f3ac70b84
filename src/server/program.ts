import path from 'node:path'
import { Command, InvalidArgumentError } from 'commander'
import { TinjauError } from '../shared/errors'
import { findPackageRoot, packageVersion } from '../core/package-root'
import { loadPolicy } from '../core/policy-loader'
import { OUTCOME_KINDS } from './db/schema'
import { ServerError } from './errors'
import { listAdjudications } from './ops/adjudications'
import { assign, unassign } from './ops/assignments'
import { ingestDecisionPack } from './ops/decision-packs'
import { exportHashList, loadSigningKey, writeSigningKey } from './ops/hash-list-export'
import { exportDecisionsJson, exportDsaRun, exportDsaStatements, listDsaRuns, listOutcomesInForce } from './ops/export'
import { addLead, disableLead, LEAD_ROLES, listLeads, setLeadPassword, type LeadRole } from './ops/leads'
import { loadPack } from './ops/packs'
import { agreementReport, drawQaSample, setQaRule } from './ops/qa'
import { formatAgreementReport } from './qa-report-text'
import { addReviewer, enrollmentCode, listReviewers, revokeDevice } from './ops/reviewers'
import { DEFAULT_PORT, DEFAULT_RATE_LIMIT_PER_MINUTE, openStores, serve, type ServerStores } from './server'

/**
 * `tinjau-server`'s commands: the sync service and its operator's commands, each a thin shell over
 * src/server/ops (which the tests call directly). The store is PostgreSQL at DATABASE_URL,
 * or PGlite in the data directory; with PGlite, operator commands cannot run while the
 * service runs (one process holds the database), so stop it first.
 */

const DEFAULT_DATA_DIR = './tinjau-server-data'

interface StoreOptions {
  dataDir: string
  mediaDir?: string
}

function int(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`)
    return n
  }
}

function place(opts: StoreOptions) {
  return { databaseUrl: process.env.DATABASE_URL || undefined, dataDir: path.resolve(opts.dataDir), mediaDir: opts.mediaDir ? path.resolve(opts.mediaDir) : undefined }
}

/** Open the stores, run `work`, close them; errors become a message and exit code 1. */
async function withStores(opts: StoreOptions, work: (s: ServerStores) => Promise<void>): Promise<void> {
  const stores = await openStores(place(opts))
  try {
    await work(stores)
  } finally {
    await stores.db.close()
  }
}

/** One line from stdin (a pipe, or typed at a prompt): passwords never go on the command line, where `ps` and shell history keep them. */
async function readPasswordLine(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password: ')
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer)
    if (Buffer.concat(chunks).includes(10)) break
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? ''
}

function print(line: string): void {
  process.stdout.write(`${line}\n`)
}

function storeOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'where the embedded database (without DATABASE_URL), media and temporary files live', DEFAULT_DATA_DIR)
    .option('--media-dir <dir>', 'media folder (default <data-dir>/media); instances sharing one DATABASE_URL must share it too')
}

export function buildProgram(): Command {
  const root = findPackageRoot(__dirname)
  const program = new Command('tinjau-server')
    .description('The Tinjau sync service (docs/sync-protocol.md) and its operator commands. DATABASE_URL selects a PostgreSQL server.')
    .version(packageVersion(root))
    .showHelpAfterError()

  storeOptions(program.command('serve').description('run the service'))
    .option('--port <n>', 'port', int('--port', 0, 65535), DEFAULT_PORT)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--rate-limit <n>', 'requests per minute per device (0: none)', int('--rate-limit', 0, 1_000_000), DEFAULT_RATE_LIMIT_PER_MINUTE)
    .option('--lead-console <dir>', 'the built lead console to serve under /lead/ (default: out/lead of this build)')
    .option('--lead-origin <origin...>', 'origins that also count as the lead console\'s own, behind a proxy that ends TLS (https://review.example.org)')
    .option('--secure-cookie', 'mark the lead session cookie Secure even over http (behind a proxy that ends TLS)')
    .action(async (o: StoreOptions & { port: number; host: string; rateLimit: number; leadConsole?: string; leadOrigin?: string[]; secureCookie?: boolean }) => {
      const running = await serve({
        ...place(o),
        port: o.port,
        host: o.host,
        rateLimitPerMinute: o.rateLimit,
        ...(o.leadConsole ? { leadConsoleDir: path.resolve(o.leadConsole) } : {}),
        ...(o.leadOrigin ? { leadOrigins: o.leadOrigin } : {}),
        ...(o.secureCookie ? { secureCookie: true } : {}),
      })
      print(`tinjau-server: listening on ${running.url} (${running.stores.db.kind === 'pglite' ? `embedded PostgreSQL in ${place(o).dataDir}` : 'DATABASE_URL'}); lead console at ${running.url}/lead/`)
      const stop = () => {
        print('tinjau-server: stopping')
        void running.close().then(() => process.exit(0))
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })

  const reviewer = program.command('reviewer').description('reviewers and their enrollment codes')
  storeOptions(reviewer.command('add <id>').description('create a reviewer'))
    .requiredOption('--name <name>', 'display name')
    .action((id: string, o: StoreOptions & { name: string }) =>
      withStores(o, async (s) => {
        await addReviewer(s.db.db, id, o.name)
        print(`reviewer ${id} added`)
      }),
    )
  storeOptions(reviewer.command('code <id>').description('make a one-time enrollment code (shown once)'))
    .option('--ttl-hours <n>', 'hours the code stays valid', int('--ttl-hours', 1, 24 * 365), 168)
    .action((id: string, o: StoreOptions & { ttlHours: number }) =>
      withStores(o, async (s) => {
        const code = await enrollmentCode(s.db.db, id, o.ttlHours * 3600 * 1000)
        print(code)
        process.stderr.write(`one-time code for ${id}, valid ${o.ttlHours} h; it is not shown again\n`)
      }),
    )
  storeOptions(reviewer.command('list').description('reviewers and their devices')).action((o: StoreOptions) =>
    withStores(o, async (s) => {
      for (const r of await listReviewers(s.db.db)) {
        print(`${r.id}\t${r.name}`)
        for (const d of r.devices) print(`  device ${d.id}\t${d.name ?? ''}\t${d.public_key}\t${d.revoked_at ? `revoked ${d.revoked_at}` : 'active'}`)
      }
    }),
  )

  const device = program.command('device').description('enrolled devices')
  storeOptions(device.command('revoke <device-id>').description("stop a device's token at once")).action((id: string, o: StoreOptions) =>
    withStores(o, async (s) => {
      await revokeDevice(s.db.db, id)
      print(`device ${id} revoked`)
    }),
  )

  const lead = program.command('lead').description('lead console accounts (roles: lead; admin, who also manages reviewers, devices and leads)')
  storeOptions(lead.command('add <id>').description('create a lead account; the password is read from stdin (one line, at least 12 characters)'))
    .requiredOption('--name <name>', 'display name')
    .option('--role <role>', 'lead or admin', (v: string) => {
      if (!(LEAD_ROLES as readonly string[]).includes(v)) throw new InvalidArgumentError('lead or admin')
      return v
    }, 'lead')
    .action(async (id: string, o: StoreOptions & { name: string; role: LeadRole }) => {
      const password = await readPasswordLine()
      await withStores(o, async (s) => {
        await addLead(s.db.db, { id, name: o.name, role: o.role, password })
        print(`lead ${id} added (${o.role})`)
      })
    })
  storeOptions(lead.command('password <id>').description("set a lead's password (read from stdin); ends their sessions")).action(async (id: string, o: StoreOptions) => {
    const password = await readPasswordLine()
    await withStores(o, async (s) => {
      await setLeadPassword(s.db.db, id, password)
      print(`password of ${id} changed`)
    })
  })
  storeOptions(lead.command('disable <id>').description('the lead can no longer sign in; their sessions end')).action((id: string, o: StoreOptions) =>
    withStores(o, async (s) => {
      await disableLead(s.db.db, id)
      print(`lead ${id} disabled`)
    }),
  )
  storeOptions(lead.command('list').description('lead accounts')).action((o: StoreOptions) =>
    withStores(o, async (s) => {
      for (const l of await listLeads(s.db.db)) print(`${l.id}\t${l.name}\t${l.role}\t${l.disabled_at ? `disabled ${l.disabled_at}` : 'active'}`)
    }),
  )

  const pack = program.command('pack').description('field packs')
  storeOptions(pack.command('load <folder-or-zip>').description('load a field pack (checked as the app checks it)')).action((source: string, o: StoreOptions) =>
    withStores(o, async (s) => {
      const r = await loadPack(s.db.db, s.media, source)
      print(r.alreadyLoaded ? `pack ${r.packId}: already loaded (${r.clips} clips)` : `pack ${r.packId}: ${r.clips} clips (${r.added} new, ${r.updated} updated), ${r.mediaAdded} media files added`)
    }),
  )

  for (const [name, run, verb] of [
    ['assign', assign, 'assigned'],
    ['unassign', unassign, 'unassigned'],
  ] as const) {
    storeOptions(program.command(`${name} <pack-id> <reviewer-id> [clip-ids...]`).description(`${name} clips of a pack (all, or those named)`)).action(
      (packId: string, reviewerId: string, clipIds: string[], o: StoreOptions) =>
        withStores(o, async (s) => {
          const n = await run(s.db.db, packId, reviewerId, clipIds)
          print(`${n} clips ${verb} ${name === 'assign' ? 'to' : 'from'} ${reviewerId}`)
        }),
    )
  }

  storeOptions(program.command('ingest <decision-pack>').description('store the decisions of a decision pack, as a push would')).action((file: string, o: StoreOptions) =>
    withStores(o, async (s) => {
      const r = await ingestDecisionPack(s.db.db, path.resolve(file))
      print(`${r.counts.stored} stored, ${r.counts.duplicate} duplicate, ${r.counts.rejected} rejected`)
      for (const x of r.results) if (x.outcome === 'rejected') print(`  rejected ${x.id}: ${x.rejection} — ${x.message ?? ''}`)
    }),
  )

  storeOptions(program.command('adjudications').description('clips whose reviewers disagree'))
    .option('--open', 'only those still open')
    .action((o: StoreOptions & { open?: boolean }) =>
      withStores(o, async (s) => {
        for (const a of await listAdjudications(s.db.db, { openOnly: o.open === true })) {
          print(`${a.state}\t${a.clip_id}\t${a.pack_id}\topened ${a.opened_at}`)
          for (const d of a.decisions) print(`  ${d.reviewer_id}\t${d.action}\t${d.categories.join(',')}\t${d.id}`)
        }
      }),
    )

  storeOptions(program.command('export').description('every decision and outcome as JSON, or DSA statements of reasons for the outcomes in force'))
    .option('--format <format>', 'json or dsa', (v: string) => {
      if (v !== 'json' && v !== 'dsa') throw new InvalidArgumentError('json or dsa')
      return v
    })
    .requiredOption('--out <path>', 'a file (json) or an empty folder (dsa)')
    .option('--since-last', 'dsa: only outcomes no earlier export filed (a clip is filed again only when its action or categories change)')
    .option('--run <id>', "dsa: write an earlier run's files again, byte for byte")
    .action((o: StoreOptions & { format?: 'json' | 'dsa'; out: string; sinceLast?: boolean; run?: string }) =>
      withStores(o, async (s) => {
        if (o.run !== undefined) {
          const r = await exportDsaRun(s.db.db, o.run, o.out)
          print(`run ${o.run}: ${r.files.length} files written to ${r.dir}`)
        } else if (o.format === 'json') {
          const r = await exportDecisionsJson(s.db.db, o.out)
          print(`${r.decisions} decisions and ${r.outcomes} outcomes written to ${r.file}`)
        } else if (o.format === 'dsa') {
          const r = await exportDsaStatements(s.db.db, loadPolicy(path.join(root, 'resources')), o.out, { sinceLast: o.sinceLast === true, actor: 'operator' })
          const k = r.skipped
          print(`run ${r.runId}: ${r.statements} statements in ${r.files.length} files in ${r.dir}`)
          print(`  no statement: ${k.already_filed} filed before, ${k.disputed} disputed, ${k.pending} pending, ${k.not_restrictive} not restrictive, ${k.unknown_action} with an unknown action`)
        } else {
          throw new InvalidArgumentError('give --format json or dsa, or --run <id>')
        }
      }),
    )
  storeOptions(program.command('exports').description('the DSA export runs, newest first')).action((o: StoreOptions) =>
    withStores(o, async (s) => {
      for (const r of await listDsaRuns(s.db.db)) print(`${r.id}	${r.created_at}	${r.created_by}	${r.since_last ? 'since last' : 'all'}	${r.statements} statements	${r.files} files`)
    }),
  )

  storeOptions(program.command('outcomes').description("each clip's outcome in force"))
    .option('--kind <kind>', `only this kind (${OUTCOME_KINDS.join(', ')})`, (v: string) => {
      if (!(OUTCOME_KINDS as readonly string[]).includes(v)) throw new InvalidArgumentError(`one of ${OUTCOME_KINDS.join(', ')}`)
      return v
    })
    .action((o: StoreOptions & { kind?: string }) =>
      withStores(o, async (s) => {
        for (const r of await listOutcomesInForce(s.db.db, o.kind)) print(`${r.kind}\t${r.clip_id}\t${r.pack_id}\t${r.action ?? ''}\t${(r.categories ?? []).join(',')}\t${r.id}`)
      }),
    )
  const qa = program.command('qa').description('QA sampling (a blind second review of a share of each reviewer\'s clips) and agreement')
  storeOptions(qa.command('rule <pack-id>').description("set a pack's QA rule"))
    .requiredOption('--percent <n>', "share of each reviewer's decided clips drawn for a second review", int('--percent', 0, 100))
    .option('--stratify', "draw the share from each action the reviewer chose, not from their clips as a whole")
    .action((packId: string, o: StoreOptions & { percent: number; stratify?: boolean }) =>
      withStores(o, async (s) => {
        const r = await setQaRule(s.db.db, 'operator', packId, { percent: o.percent, stratify_by_action: o.stratify === true })
        print(`${r.pack_id}: ${r.percent} % of each reviewer's decided clips${r.stratify_by_action ? ', per action' : ''}`)
      }),
    )
  storeOptions(qa.command('draw <pack-id>').description('draw what the rule asks for now and assign it, blind, to second reviewers')).action(
    (packId: string, o: StoreOptions) =>
      withStores(o, async (s) => {
        const r = await drawQaSample(s.db.db, packId, 'operator')
        const drawn = Object.entries(r.sampled)
        print(drawn.length === 0 ? `${packId}: nothing new to draw` : drawn.map(([reviewer, n]) => `${reviewer}: ${n} clip(s) drawn`).join('\n'))
        if (r.unmatched.length > 0) print(`no one else on the pack to check: ${r.unmatched.join(', ')}`)
      }),
  )
  storeOptions(qa.command('report').description('agreement between reviewers on clips two or more decided: percent agreement, Cohen\'s and Fleiss\' kappa, confusion matrix'))
    .option('--json', 'print the report as JSON')
    .option('--from <time>', 'decisions from this time (RFC 3339 or a date)')
    .option('--to <time>', 'decisions before this time')
    .option('--pack <id>', 'one pack only')
    .action((o: StoreOptions & { json?: boolean; from?: string; to?: string; pack?: string }) =>
      withStores(o, async (s) => {
        const r = await agreementReport(s.db.db, { ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}), ...(o.pack ? { packId: o.pack } : {}) })
        print(o.json ? JSON.stringify(r, null, 2) : formatAgreementReport(r))
      }),
    )

  const hashlist = program.command('hashlist').description("hash lists (docs/hash-list.md): the team's decided media as a signed file reviewers import")
  hashlist
    .command('key <file>')
    .description('make an Ed25519 key to sign hash lists with (PKCS#8 PEM, readable by its owner only); prints its public key, which reviewers trust')
    .action(async (file: string) => {
      const r = await writeSigningKey(path.resolve(file))
      print(`key written to ${r.file}`)
      print(`public key: ${r.publicKey}`)
    })
  storeOptions(hashlist.command('export').description('write the frame hashes of decided media, with the outcome in force, as a signed hash list'))
    .requiredOption('--out <file>', 'the hash list file to write')
    .requiredOption('--key <file>', 'Ed25519 private key (PEM) that signs it: the service holds no key of its own (make one with `hashlist key`)')
    .option('--id <id>', 'the list id: a newer export with the same id replaces the older one where it is imported', 'tinjau-team')
    .option('--name <name>', 'the list name reviewers see', 'Team decisions')
    .option('--issuer <name>', 'the issuer name reviewers see', 'Tinjau sync service')
    .option('--since <time>', 'only outcomes settled at or after this time (RFC 3339 or a date)')
    .option('--action <id...>', 'only outcomes with one of these actions')
    .option('--category <id...>', 'only outcomes with at least one of these categories')
    .option('--restricting', 'only outcomes whose action restricts the content (a DSA restriction in the policy)')
    .option('--overwrite', 'replace --out if it exists')
    .action(
      (
        o: StoreOptions & { out: string; key: string; id: string; name: string; issuer: string; since?: string; action?: string[]; category?: string[]; restricting?: boolean; overwrite?: boolean },
      ) => {
        const key = loadSigningKey(path.resolve(o.key))
        return withStores(o, async (s) => {
          const r = await exportHashList(s.db.db, loadPolicy(path.join(root, 'resources')), key, {
            id: o.id,
            name: o.name,
            issuerName: o.issuer,
            out: path.resolve(o.out),
            overwrite: o.overwrite === true,
            since: o.since,
            actions: o.action,
            categories: o.category,
            restricting: o.restricting === true,
          })
          print(`${r.entries} media (${r.frames} frames) written to ${r.file} (${r.bytes} bytes), signed by ${r.publicKey}`)
          if (r.skipped.shape + r.skipped.noCategories > 0) print(`  left out: ${r.skipped.shape} with hashes of another shape than their hasher gives, ${r.skipped.noCategories} whose outcome names no category`)
        })
      },
    )
  return program
}

export function describeError(err: unknown): string {
  if (err instanceof ServerError || err instanceof TinjauError) {
    const details = err.details?.map((d) => `\n  ${d.path}: ${d.message}`).join('') ?? ''
    return `${err.message}${details}`
  }
  return err instanceof Error ? err.message : String(err)
}
