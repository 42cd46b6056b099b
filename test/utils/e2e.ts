import type pg from 'pg'
import { escapeIdentifier } from 'pg'
import {
  probeCapabilities,
  qualifiedTable,
  quoteIdentifier,
  type ClickHouseDatabase,
} from '../../src/clickhouse/index.js'
import { createTableStatement } from '../../src/models/ddl.js'
import type { Model } from '../../src/models/model.js'

/** Shared steps of the end-to-end tests: tables on both sides, and the row-by-row comparison. */

/** Creates each model's table in `database` on the given ClickHouse target (what `chsync migrate` does). */
export async function createTables(ch: ClickHouseDatabase, database: string, models: readonly Model[]): Promise<void> {
  const capabilities = await probeCapabilities(ch)
  await ch.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)}` })
  for (const model of models) {
    const { sql, settings } = createTableStatement(model, capabilities, database)
    await ch.client.command({ query: sql, clickhouse_settings: settings })
  }
}

/**
 * What answers the comparison's SELECTs: a ClickHouse client, or a function (e.g. `chdbReader`,
 * which reads an embedded directory a worker process owns from a short-lived child process).
 */
export type RowSource = ClickHouseDatabase | ((query: string) => Promise<Record<string, string>[]>)

async function select(source: RowSource, query: string): Promise<Record<string, string>[]> {
  if (typeof source === 'function') return source(query)
  return (await source.client.query({ query, format: 'JSONEachRow' })).json<Record<string, string>>()
}

/**
 * How compared rows are named where the defaults do not fit: key columns other than `id` (composite
 * keys, names that need quoting), and source columns renamed in ClickHouse. Every name is quoted on
 * both sides, so any name works.
 */
export interface RowNaming {
  /** Key columns in PostgreSQL and in ClickHouse, in the same order. @default ['id'] on both */
  key?: { source: readonly string[]; target: readonly string[] }
  /** The source column of a compared ClickHouse column, where it is named differently. */
  renamed?: Readonly<Record<string, string>>
}

/** A row's key as the comparison sees it: the text of a one-column key, else the JSON array of the texts. */
function rowKey(row: Record<string, string>, size: number): string {
  const parts = Array.from({ length: size }, (_, i) => row[`k${i}`] as string)
  return size === 1 ? (parts[0] as string) : JSON.stringify(parts)
}

function rowValue(row: Record<string, string>, columns: readonly string[]): string {
  return columns.map((_, i) => row[`c${i}`]).join('|')
}

/** Source rows as the comparison sees them: key → the synced columns as text. */
export async function sourceRows(
  pool: pg.Pool,
  table: string,
  columns: readonly string[],
  naming: RowNaming = {},
): Promise<Map<string, string>> {
  const key = naming.key?.source ?? ['id']
  const list = [
    ...key.map((column, i) => `${escapeIdentifier(column)}::text AS k${i}`),
    ...columns.map((column, i) => `${escapeIdentifier(naming.renamed?.[column] ?? column)}::text AS c${i}`),
  ]
  const { rows } = await pool.query<Record<string, string>>(`SELECT ${list.join(', ')} FROM ${escapeIdentifier(table)}`)
  return new Map(rows.map((row) => [rowKey(row, key.length), rowValue(row, columns)]))
}

/**
 * The rows ClickHouse presents for a table after merging (FINAL), in the same shape: deleted and
 * cancelled rows gone. Collapsing engines keep only keys whose signs sum to a live row.
 */
export async function clickhouseRows(
  ch: RowSource,
  database: string,
  table: string,
  columns: readonly string[],
  engine: 'replacing' | 'collapsing' | 'plain',
  naming: RowNaming = {},
): Promise<Map<string, string>> {
  const key = (naming.key?.target ?? ['id']).map(quoteIdentifier)
  const list = [
    ...key.map((column, i) => `toString(${column}) AS k${i}`),
    ...columns.map((column, i) => `toString(${quoteIdentifier(column)}) AS c${i}`),
  ].join(', ')
  const from = qualifiedTable(database, table)
  const query =
    engine === 'replacing'
      ? `SELECT ${list} FROM ${from} FINAL`
      : engine === 'collapsing'
        ? `SELECT ${list} FROM ${from} FINAL WHERE sign = 1`
        : `SELECT ${list} FROM ${from} ORDER BY ${key.join(', ')} LIMIT 1 BY ${key.join(', ')}`
  const rows = await select(ch, query)
  return new Map(rows.map((row) => [rowKey(row, key.length), rowValue(row, columns)]))
}

/**
 * Raw rows minus distinct (key, version[, sign]) tuples: 0 when no row was written twice. A cancel
 * row shares its version with the row it cancels, so collapsing tables count the sign too.
 */
export async function duplicateCount(
  ch: RowSource,
  database: string,
  table: string,
  identity: readonly string[],
  naming: RowNaming = {},
): Promise<number> {
  const columns = [...(naming.key?.target ?? ['id']), ...identity].map(quoteIdentifier).join(', ')
  const query = `SELECT count() - uniqExact(${columns}) AS d FROM ${qualifiedTable(database, table)}`
  const rows = await select(ch, query)
  return Number(rows[0]?.d)
}
