import { formatQueryParams } from '@clickhouse/client-common'
import { qualifiedTable, quoteIdentifier } from '../clickhouse/sql.js'
import { signColumnOf, versionColumnOf } from '../models/engines/index.js'
import type { Model } from '../models/model.js'
import { hashChunk, splitLines } from './payload.js'
import type { SyncTarget } from './runtime.js'

/**
 * The columns that tell one written row from every other in a table where a replayed row changes the
 * result: a collapsing engine whose version is chsync's operation sequence (unique per import key,
 * and a cancel row is written once per state it cancels), so `(version, sign)` names one row.
 */
export interface ReplayIdentity {
  version: string
  sign: string
}

/**
 * The identity a retried chunk is checked by before it is re-sent, or undefined where no check is
 * needed or none is possible. ReplacingMergeTree needs none: a replay is the same key and version,
 * which FINAL and merges keep once. A collapsing table would keep a doubled `+1` past the `−1` of a
 * later delete, so it is checked — when its version is chsync's sequence; a version from a source
 * column is not unique across keys, and Summing, Aggregating and plain MergeTree rows carry no
 * version at all: those rely on the deduplication window alone (docs/guarantees.md).
 */
export function replayIdentityOf(model: Model): ReplayIdentity | undefined {
  const sign = signColumnOf(model.engine)
  const version = versionColumnOf(model.engine)
  if (sign === undefined || version === undefined || model.version !== undefined) return undefined
  return { version, sign }
}

/** What is left to send of a chunk: its lines not found in the table, their indexes in the chunk. */
export interface Unlanded {
  bytes: Buffer
  token: string
  /** Index in the chunk of each line of `bytes`. */
  lines: number[]
}

/** Versions per lookup query: a bounded query text (or parameter) whatever the chunk's size. */
const VERSIONS_PER_QUERY = 1000

/**
 * The lines of a chunk that are not in the target table yet, for a chunk a previous attempt may have
 * sent past the table's deduplication window. The chunk itself (same token) when nothing of it
 * landed or when the table has materialized views; nothing when all of it did; else the missing
 * lines under a token of their own. Costs one read of the table's version and sign columns per
 * 1000 versions — only retried batches pay it.
 */
export async function withoutLanded(
  target: SyncTarget,
  bytes: Buffer,
  token: string,
  identity: ReplayIdentity,
): Promise<Unlanded> {
  const lines = splitLines(bytes)
  // A view may lack what its table holds (it failed after the table took the block): only the
  // whole chunk under its own token gives the view its block again, and the table keeps one copy
  // while it remembers the token. Past the window such a table takes the replay (docs/guarantees.md).
  if (await hasViews(target)) return { bytes, token, lines: lines.map((_, index) => index) }
  const ids = lines.map((line) => {
    const row = JSON.parse(line.toString('utf8')) as Record<string, unknown>
    return { version: String(row[identity.version]), sign: String(row[identity.sign]) }
  })
  const landed = await landedIdentities(target, identity, [...new Set(ids.map((id) => id.version))])
  const missing = ids.flatMap((id, index) => (landed.has(`${id.version}|${id.sign}`) ? [] : [index]))
  if (missing.length === lines.length) return { bytes, token, lines: missing }
  const rest = Buffer.concat(missing.map((index) => lines[index] as Buffer))
  return { bytes: rest, token: `${token}/unlanded:${hashChunk(rest)}`, lines: missing }
}

/** Whether materialized views read the target table (system.tables lists them on 18.x and 26.x). */
async function hasViews(target: SyncTarget): Promise<boolean> {
  const { database } = target
  const literal = (value: string) => formatQueryParams({ value, wrapStringInQuotes: true })
  const result = await database.client.query({
    query:
      `SELECT length(dependencies_table) AS views FROM system.tables ` +
      `WHERE database = ${literal(database.database)} AND name = ${literal(target.table)}`,
    format: 'JSONEachRow',
  })
  return (await result.json<{ views: number | string }>()).some((row) => Number(row.views) > 0)
}

/** `version|sign` of the target's rows whose version is one of `versions`. */
async function landedIdentities(
  target: SyncTarget,
  identity: ReplayIdentity,
  versions: string[],
): Promise<Set<string>> {
  const { database } = target
  const version = quoteIdentifier(identity.version)
  const sign = quoteIdentifier(identity.sign)
  const bind = target.capabilities.queryParameters
  const found = new Set<string>()
  for (let start = 0; start < versions.length; start += VERSIONS_PER_QUERY) {
    const piece = versions.slice(start, start + VERSIONS_PER_QUERY)
    const list = bind
      ? '{versions:Array(String)}'
      : `(${piece.map((value) => formatQueryParams({ value, wrapStringInQuotes: true })).join(', ')})`
    const result = await database.client.query({
      query:
        `SELECT toString(${version}) AS v, toString(${sign}) AS s ` +
        `FROM ${qualifiedTable(database.database, target.table)} WHERE toString(${version}) IN ${list}`,
      format: 'JSONEachRow',
      ...(bind ? { query_params: { versions: piece } } : {}),
    })
    for (const row of await result.json<{ v: string; s: string }>()) found.add(`${row.v}|${row.s}`)
  }
  return found
}
