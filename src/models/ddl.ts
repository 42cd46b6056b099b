import type { ClickHouseSettings } from '@clickhouse/client'
import type { ClickHouseCapabilities } from '../clickhouse/capabilities.js'
import { qualifiedTable, quoteIdentifier, quoteString } from '../clickhouse/sql.js'
import { ConfigError } from '../errors.js'
import {
  engineSQL,
  isDeletedColumnOf,
  isSQLExpression,
  replicationOf,
  type KeyPart,
  type MergeTreeOptions,
} from './engines/index.js'
import type { ArrayField } from './fields/array.js'
import type { ClickHouseValue, Field } from './fields/common.js'
import type { MapField } from './fields/map.js'
import type { TupleField } from './fields/tuple.js'
import type { Model } from './model.js'

/** @default 1000 blocks: how many recent inserts a non-replicated table remembers to drop a replay. */
export const DEFAULT_DEDUPLICATION_WINDOW = 1000

/**
 * @default 7 days: how long a replicated table chsync creates remembers a block's token
 * (`replicated_deduplication_window_seconds`; ClickHouse ≥ 25.9 defaults to 1 hour). A round retries
 * until the server answers, so an outage longer than this may write the chunk in flight twice.
 */
export const REPLICATED_DEDUPLICATION_SECONDS = 7 * 24 * 3600

export interface CreateTableOptions {
  /** `non_replicated_deduplication_window` where the server has it. @default DEFAULT_DEDUPLICATION_WINDOW */
  deduplicationWindow?: number
  /** `CREATE TABLE IF NOT EXISTS`. @default true */
  ifNotExists?: boolean
}

/** A DDL statement with the query settings the server needs to accept it. */
export interface Statement {
  sql: string
  settings: ClickHouseSettings
}

function fail(model: Model, message: string, column?: string): never {
  throw new ConfigError(`model ${model.importKey}: ${message}`, {
    model: model.importKey,
    importKey: model.importKey,
    table: model.table,
    ...(column === undefined ? {} : { column }),
  })
}

function scalarText(value: ClickHouseValue): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/** A field's value (as `toClickHouse` returns it) as a SQL literal of the field's type, for DEFAULT. */
function sqlLiteral(field: Field, value: ClickHouseValue): string {
  if (value === null) return 'NULL'
  switch (field.kind) {
    case 'nullable':
    case 'lowCardinality':
      return sqlLiteral((field as Field & { inner: Field }).inner, value)
    case 'array':
      return `[${(value as ClickHouseValue[]).map((item) => sqlLiteral((field as ArrayField).inner, item)).join(', ')}]`
    case 'tuple': {
      const items = (field as TupleField).items
      return `(${(value as ClickHouseValue[]).map((item, index) => sqlLiteral(items[index] as Field, item)).join(', ')})`
    }
    case 'map': {
      const { key, value: valueField } = field as MapField
      const entries = Object.entries(value as Record<string, ClickHouseValue>)
      return `map(${entries.map(([k, v]) => `${sqlLiteral(key, k)}, ${sqlLiteral(valueField, v)}`).join(', ')})`
    }
    case 'int':
    case 'float':
    case 'decimal':
    case 'dateTime':
      // Numbers (and the specials nan/inf, 64-bit integers as digits) are literals without quotes.
      return scalarText(value)
    case 'bool':
      return value ? 'true' : 'false'
    default:
      return quoteString(scalarText(value))
  }
}

function keySQL(parts: KeyPart<string> | readonly KeyPart<string>[]): string {
  const list: readonly KeyPart<string>[] = Array.isArray(parts) ? parts : [parts as KeyPart<string>]
  const rendered = list.map((part) => (isSQLExpression(part) ? part.sql : quoteIdentifier(part)))
  if (rendered.length === 0) return 'tuple()'
  return rendered.length === 1 ? (rendered[0] as string) : `(${rendered.join(', ')})`
}

function settingSQL(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? '1' : '0'
  // The client types 64-bit settings as strings: numbers are written bare either way.
  return typeof value === 'number' || /^\d+$/.test(value) ? String(value) : quoteString(value)
}

/** One column definition (`\`name\` Type DEFAULT … CODEC(…) COMMENT '…'`), refusing what the server lacks. */
export function columnSQL(model: Model, name: string, field: Field, capabilities: ClickHouseCapabilities): string {
  for (const family of field.families()) {
    if (!capabilities.dataTypes.has(family))
      fail(model, `column ${name}: ClickHouse ${capabilities.version} has no ${family} type`, name)
  }
  const parts = [quoteIdentifier(name), field.toSQLType()]
  const { default: defaultValue, defaultSQL, codec, comment } = field.options
  if (defaultSQL !== undefined) parts.push(`DEFAULT ${defaultSQL}`)
  else if (defaultValue !== undefined) parts.push(`DEFAULT ${sqlLiteral(field, defaultValue)}`)
  if (codec !== undefined) {
    if (capabilities.major < 19) fail(model, `column ${name}: column codecs need ClickHouse ≥ 19.1`, name)
    parts.push(`CODEC(${codec})`)
  }
  if (comment !== undefined) parts.push(`COMMENT ${quoteString(comment)}`)
  return parts.join(' ')
}

function tableSettings(
  engine: MergeTreeOptions<string>,
  replicatedTable: boolean,
  capabilities: ClickHouseCapabilities,
  window: number,
): Record<string, string | number | boolean> {
  const settings: Record<string, string | number | boolean> = { ...engine.settings }
  // Replicated tables deduplicate through the keeper (replicated_deduplication_window), for as long
  // as replicated_deduplication_window_seconds says: long enough for a retry after an outage.
  if (replicatedTable && capabilities.mergeTreeSettings.has('replicated_deduplication_window_seconds'))
    settings.replicated_deduplication_window_seconds ??= REPLICATED_DEDUPLICATION_SECONDS
  if (!replicatedTable && capabilities.nonReplicatedDeduplicationWindow && window > 0)
    settings.non_replicated_deduplication_window ??= window
  return settings
}

/**
 * `CREATE TABLE` for a model on one server, deterministic (same model, capabilities and options give
 * byte-identical SQL) and with every identifier quoted. Adapts to the server: adds
 * `non_replicated_deduplication_window` where it exists, and refuses with a `ConfigError` naming the
 * column what the server cannot store (a type family it lacks, codecs before 19.1, TTL before 19.6,
 * `is_deleted` before 23.2).
 */
export function createTableStatement(
  model: Model,
  capabilities: ClickHouseCapabilities,
  database: string,
  options: CreateTableOptions = {},
): Statement {
  const { engine } = model
  const isDeleted = isDeletedColumnOf(engine)
  if (isDeleted !== undefined && !capabilities.replacingIsDeleted)
    fail(
      model,
      `ReplacingMergeTree(version, is_deleted) needs ClickHouse ≥ 23.2 (server is ${capabilities.version}): ` +
        "drop isDeleted and set deletes: 'ignore', or use collapsingMergeTree",
      isDeleted,
    )
  const columns = Object.entries(model.fields).map(([name, field]) => columnSQL(model, name, field, capabilities))
  const atLeast = (major: number, minor: number) =>
    capabilities.major > major || (capabilities.major === major && capabilities.minor >= minor)
  if (engine.ttl && !atLeast(19, 6)) fail(model, `TTL needs ClickHouse ≥ 19.6 (server is ${capabilities.version})`)
  // Clause order is the one ClickHouse 18.x parses; newer servers accept any order.
  const lines = [
    `CREATE TABLE ${options.ifNotExists === false ? '' : 'IF NOT EXISTS '}${qualifiedTable(database, model.table)}`,
    `(\n${columns.map((column) => `    ${column}`).join(',\n')}\n)`,
    `ENGINE = ${engineSQL(engine)}`,
  ]
  if (engine.partitionBy !== undefined) lines.push(`PARTITION BY ${keySQL(engine.partitionBy)}`)
  if (engine.primaryKey !== undefined) lines.push(`PRIMARY KEY ${keySQL(engine.primaryKey)}`)
  lines.push(`ORDER BY ${keySQL(engine.orderBy)}`)
  if (engine.sampleBy !== undefined) lines.push(`SAMPLE BY ${keySQL(engine.sampleBy)}`)
  if (engine.ttl) lines.push(`TTL ${engine.ttl.sql}`)
  const settings = tableSettings(
    engine,
    replicationOf(engine) !== undefined,
    capabilities,
    options.deduplicationWindow ?? DEFAULT_DEDUPLICATION_WINDOW,
  )
  const names = Object.keys(settings).sort()
  if (names.length)
    lines.push(`SETTINGS ${names.map((name) => `${name} = ${settingSQL(settings[name] as string)}`).join(', ')}`)
  return { sql: lines.join('\n'), settings: ddlSettings(model, capabilities) }
}

/** The SQL of `createTableStatement`. */
export function createTableSql(
  model: Model,
  capabilities: ClickHouseCapabilities,
  database: string,
  options?: CreateTableOptions,
): string {
  return createTableStatement(model, capabilities, database, options).sql
}

/**
 * Query settings DDL for this model needs on this server: LowCardinality is experimental on 18.x–19.x
 * and refused unless `allow_experimental_low_cardinality_type = 1` comes with the statement.
 */
export function ddlSettings(model: Model, capabilities: ClickHouseCapabilities): ClickHouseSettings {
  const usesLowCardinality = Object.values(model.fields).some((field) => field.families().includes('LowCardinality'))
  return usesLowCardinality && capabilities.lowCardinalityExperimental
    ? { allow_experimental_low_cardinality_type: 1 }
    : {}
}
