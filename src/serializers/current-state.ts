import { TupleParam } from '@clickhouse/client'
import { formatQueryParams } from '@clickhouse/client-common'
import type { ClickHouseDatabase } from '../clickhouse/client.js'
import { qualifiedTable, quoteIdentifier } from '../clickhouse/sql.js'
import { ConfigError } from '../errors.js'
import { versionColumnOf } from '../models/engines/index.js'
import type { ClickHouseValue, Field } from '../models/fields/common.js'
import type { Model } from '../models/model.js'
import { decodeKeyColumns } from '../source/keys.js'
import { convertValue, versionNumber, type ClickHouseRow } from './row.js'

export interface ReadCurrentStateOptions {
  /**
   * Bind the keys as a `{keys:Array(…)}` query parameter (ClickHouse ≥ 19.x; see
   * `capabilities.queryParameters`). Otherwise they are written into the query as literals escaped by
   * @clickhouse/client's own formatter. @default true on the embedded engine (always recent), false on
   * a server unless the caller knows better
   */
  queryParameters?: boolean
}

const KEY_ALIAS = '__chsync_key'

/**
 * Bytes of key literals per query. A server parses at most `max_query_size` bytes of a query (256 KiB
 * by default), inlined keys included, and refuses a longer one with code 62; bound keys travel in the
 * URL, which servers cap too (`http_max_uri_size`, 1 MiB). A batch of long keys takes several queries.
 */
const PIECE_BYTES = 100_000

/** [start, end) ranges of `literals` whose texts add up to at most PIECE_BYTES (a longer key alone). */
function pieces(literals: readonly string[]): [number, number][] {
  const ranges: [number, number][] = []
  let start = 0
  let bytes = 0
  for (let index = 0; index < literals.length; index++) {
    const size = Buffer.byteLength(literals[index] as string) + 2
    if (index > start && bytes + size > PIECE_BYTES) {
      ranges.push([start, index])
      start = index
      bytes = 0
    }
    bytes += size
  }
  ranges.push([start, literals.length])
  return ranges
}

/** The field under wrappers that do not change how a value prints (LowCardinality). */
function bare(field: Field): Field {
  return field.kind === 'lowCardinality' ? bare((field as Field & { inner: Field }).inner) : field
}

/** SQL printing a key column the way `matchText` prints the converted source key. */
function keyTextSQL(field: Field, column: string): string {
  // DateTime goes out as Unix seconds: compare in that form, whatever the column's time zone.
  return bare(field).kind === 'dateTime' ? `toString(toUnixTimestamp(${column}))` : `toString(${column})`
}

function matchText(value: ClickHouseValue): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** A converted key value as a query parameter: integers as bigint so they print without quotes. */
function paramValue(field: Field, value: ClickHouseValue): unknown {
  return bare(field).kind === 'int' && typeof value === 'string' ? BigInt(value) : value
}

/**
 * The rows ClickHouse holds (after `FINAL`) for the given encoded keys, read from a read alias in as
 * few queries as the server's query size allows: the state a collapsing model cancels and a tombstone
 * copies. Keys are never pasted raw into SQL. Keys with no row are absent from the result.
 */
export async function readCurrentState(
  db: ClickHouseDatabase,
  model: Model,
  keys: readonly string[],
  options: ReadCurrentStateOptions = {},
): Promise<Map<string, ClickHouseRow>> {
  const state = new Map<string, ClickHouseRow>()
  if (keys.length === 0) return state
  const bind = options.queryParameters ?? db.kind === 'embedded'
  const keyFields = model.source.primaryKey.map((column) => {
    const name = model.fieldForSourceColumn(column)
    if (name === undefined)
      throw new ConfigError(`model ${model.importKey}: primary key column ${column} maps to no field`, {
        model: model.importKey,
        table: model.table,
        column,
      })
    return { name, field: model.fields[name] as Field }
  })
  const byMatch = new Map<string, string>()
  const tuples = keys.map((key) => {
    const decoded = decodeKeyColumns(key, model.source.primaryKey)
    const values = keyFields.map(({ name, field }, index) =>
      convertValue(model, key, name, field, decoded[model.source.primaryKey[index] as string]),
    )
    byMatch.set(JSON.stringify(values.map(matchText)), key)
    return values.map((value, index) => paramValue((keyFields[index] as { field: Field }).field, value))
  })
  const single = keyFields.length === 1
  const columns = keyFields.map(({ name }) => quoteIdentifier(name))
  const target = single ? (columns[0] as string) : `(${columns.join(', ')})`
  const keyType = single
    ? (keyFields[0] as { field: Field }).field.toSQLType()
    : `Tuple(${keyFields.map(({ field }) => field.toSQLType()).join(', ')})`
  const paramList = single ? tuples.map((tuple) => tuple[0]) : tuples.map((tuple) => new TupleParam(tuple))
  const literal = (value: unknown) => formatQueryParams({ value, wrapStringInQuotes: true, printNullAsKeyword: true })
  // A composite key's literal is its elements' literals in parentheses (what the client prints for a
  // TupleParam; client-common's formatter knows only its own TupleParam class, not @clickhouse/client's).
  const literals = single
    ? tuples.map((tuple) => literal(tuple[0]))
    : tuples.map((tuple) => `(${tuple.map(literal).join(', ')})`)
  const keyText = keyFields.map(
    ({ name, field }, index) => `${keyTextSQL(field, quoteIdentifier(name))} AS ${KEY_ALIAS}${index}`,
  )
  const select = `SELECT *, ${keyText.join(', ')} FROM ${qualifiedTable(db.database, model.table)} FINAL WHERE ${target} IN `
  const version = versionColumnOf(model.engine)
  for (const [start, end] of pieces(literals)) {
    // `IN (a, b)` rather than an array literal: the form every server version parses.
    const list = bind ? `{keys:Array(${keyType})}` : `(${literals.slice(start, end).join(', ')})`
    const result = await db.client.query({
      query: select + list,
      format: 'JSONEachRow',
      ...(bind ? { query_params: { keys: paramList.slice(start, end) } } : {}),
    })
    for (const row of await result.json<Record<string, ClickHouseValue>>()) {
      const match = JSON.stringify(keyFields.map((_, index) => matchText(row[`${KEY_ALIAS}${index}`] ?? null)))
      const key = byMatch.get(match)
      if (key === undefined) continue
      for (let index = 0; index < keyFields.length; index++) delete row[`${KEY_ALIAS}${index}`]
      const previous = state.get(key)
      // FINAL leaves one row per key; should an unmerged pair remain, the highest version is the state.
      if (previous && version !== undefined && versionNumber(previous[version]) > versionNumber(row[version])) continue
      state.set(key, row)
    }
  }
  return state
}
