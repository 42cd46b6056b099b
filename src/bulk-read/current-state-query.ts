import { formatQueryParams } from '@clickhouse/client-common'
import type { ClickHouseDatabase } from '../clickhouse/client.js'
import { qualifiedTable, quoteIdentifier } from '../clickhouse/sql.js'
import { ConfigError } from '../errors.js'
import { isDeletedColumnOf, signColumnOf } from '../models/engines/index.js'
import type { Field } from '../models/fields/common.js'
import type { Model } from '../models/model.js'

/**
 * A filter on the rows read: ClickHouse SQL with `{name:Type}` placeholders for every value, and the
 * values in `params`. Values never enter the SQL text as written: they are bound as query parameters
 * where the target supports them, else rendered as literals by @clickhouse/client's own escaping.
 * @example { sql: 'score >= {min:Float64} AND tag IN {tags:Array(String)}', params: { min: 0.5, tags: ['a'] } }
 */
export interface WhereClause {
  sql: string
  params?: Record<string, unknown>
}

/** A current-state SELECT: its text (no FORMAT clause), bound parameters and the settings it needs. */
export interface CurrentStateQuery {
  sql: string
  params: Record<string, unknown> | undefined
  settings: Record<string, number>
  columns: { name: string; field: Field }[]
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g

/**
 * `where.sql` with each `{name:Type}` placeholder replaced by `CAST(<literal> AS Type)`, the literal
 * escaped by the client library (for servers without query parameters: ClickHouse 18.x). Input: the
 * user's SQL; a placeholder-shaped text inside a string literal of that SQL would be replaced too.
 */
function inlineParams(model: Model, where: WhereClause): string {
  return where.sql.replace(PLACEHOLDER, (_, name: string, type: string) => {
    if (!where.params || !Object.hasOwn(where.params, name))
      throw new ConfigError(
        `read of ${model.importKey}: where placeholder {${name}:${type}} has no value in params (known: ${Object.keys(where.params ?? {}).join(', ') || 'none'})`,
        { model: model.importKey, table: model.table },
      )
    const literal = formatQueryParams({ value: where.params[name], wrapStringInQuotes: true, printNullAsKeyword: true })
    return `CAST(${literal} AS ${type})`
  })
}

/** The selected columns, checked against the model; by default every field. */
export function selectedColumns(
  model: Model,
  columns: readonly string[] | undefined,
): { name: string; field: Field }[] {
  const names = columns ?? Object.keys(model.fields)
  if (names.length === 0) throw new ConfigError(`read of ${model.importKey}: columns is empty (name at least one)`)
  return names.map((name) => {
    const field = model.fields[name]
    if (!field)
      throw new ConfigError(
        `read of ${model.importKey}: unknown column ${JSON.stringify(name)} (columns: ${Object.keys(model.fields).join(', ')})`,
        { model: model.importKey, table: model.table, column: name },
      )
    return { name, field }
  })
}

/**
 * A key range of a paged read: the keys after `after` (exclusive; none: from the first) up to
 * `upTo` (inclusive; none: to the last), over the sorting-key columns `keys`. With `nth`, the query
 * instead answers the key columns of the range's `nth` row in key order (none when it has fewer
 * rows): the upper bound of a page of `nth` rows.
 */
export interface KeyRange {
  keys: { name: string; field: Field }[]
  after?: readonly unknown[] | undefined
  upTo?: readonly unknown[] | undefined
  nth?: number
}

/** Parameter names of a range's bounds: a prefix a user's `where` may not use. */
const RANGE_PARAM = 'chsync_'

/**
 * `(k1, k2) > (a, b)` (or `<=`), tuple comparison being lexicographic, led by `k1 >= a` (`k1 <= b`)
 * so ClickHouse's index analysis skips the granules outside the range even for a key of several
 * columns.
 */
function boundCondition(keys: KeyRange['keys'], bound: readonly unknown[], op: '>' | '<=', prefix: string) {
  const names = keys.map(({ name }) => quoteIdentifier(name))
  const values = keys.map(({ field }, index) => `{${prefix}${index}:${field.toSQLType()}}`)
  const params = Object.fromEntries(bound.map((value, index) => [`${prefix}${index}`, value]))
  const lead = op === '>' ? '>=' : '<='
  const sql =
    keys.length === 1
      ? `${names[0]} ${op} ${values[0]}`
      : `${names[0]} ${lead} ${values[0]} AND (${names.join(', ')}) ${op} (${values.join(', ')})`
  return { sql, params }
}

function rangeConditions(model: Model, range: KeyRange, where: WhereClause | undefined): WhereClause[] {
  for (const name of Object.keys(where?.params ?? {}))
    if (name.startsWith(RANGE_PARAM))
      throw new ConfigError(
        `read of ${model.importKey}: where parameter ${name} uses the prefix ${RANGE_PARAM}, which paged reads keep for their key bounds (rename it)`,
        { model: model.importKey, table: model.table },
      )
  return [
    ...(range.after ? [boundCondition(range.keys, range.after, '>', `${RANGE_PARAM}after_`)] : []),
    ...(range.upTo ? [boundCondition(range.keys, range.upTo, '<=', `${RANGE_PARAM}upto_`)] : []),
  ]
}

/**
 * The SELECT of a model's current state: one row per key, deletes applied. Replacing and collapsing
 * engines read `FINAL` (the merge ClickHouse would do, done at read time) and drop tombstones
 * (`is_deleted = 1`) and unmatched cancel rows (`sign = -1`); a plain MergeTree is read as it is.
 * `optimize_move_to_prewhere = 0`: a filter moved before FINAL would drop a key's newest version (or
 * its tombstone) and let an older one through.
 */
export function currentStateQuery(
  db: ClickHouseDatabase,
  model: Model,
  options: { columns?: readonly string[]; where?: WhereClause; bind: boolean; range?: KeyRange },
): CurrentStateQuery {
  const columns = selectedColumns(model, options.columns)
  const final = model.engine.kind !== 'MergeTree'
  const conditions: string[] = []
  const isDeleted = isDeletedColumnOf(model.engine)
  if (isDeleted !== undefined) conditions.push(`${quoteIdentifier(isDeleted)} = 0`)
  const sign = signColumnOf(model.engine)
  if (sign !== undefined) conditions.push(`${quoteIdentifier(sign)} > 0`)
  const { where, range } = options
  if (where) conditions.push(`(${options.bind ? where.sql : inlineParams(model, where)})`)
  let params = options.bind && where?.params ? where.params : undefined
  // A filter on sorting-key columns keeps or drops every version of a key alike: safe before FINAL.
  for (const bound of range ? rangeConditions(model, range, where) : []) {
    conditions.push(options.bind ? bound.sql : inlineParams(model, bound))
    if (options.bind) params = { ...params, ...bound.params }
  }
  const keyList = range?.keys.map(({ name }) => quoteIdentifier(name)).join(', ')
  const selected = range?.nth ? range.keys : columns
  const sql =
    `SELECT ${selected.map(({ name }) => quoteIdentifier(name)).join(', ')} ` +
    `FROM ${qualifiedTable(db.database, model.table)}${final ? ' FINAL' : ''}` +
    (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '') +
    (range?.nth ? ` ORDER BY ${keyList} LIMIT 1 OFFSET ${range.nth - 1}` : '')
  return {
    sql,
    params,
    settings: final ? { optimize_move_to_prewhere: 0 } : {},
    columns: selected,
  }
}
