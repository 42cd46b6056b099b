import type pg from 'pg'
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

/** Source rows as the comparison sees them: id → the synced columns as text. */
export async function sourceRows(
  pool: pg.Pool,
  table: string,
  columns: readonly string[],
): Promise<Map<string, string>> {
  const list = columns.map((column) => `"${column}"::text AS "${column}"`).join(', ')
  const { rows } = await pool.query<Record<string, string>>(`SELECT id::text AS id, ${list} FROM "${table}"`)
  return new Map(rows.map((row) => [row.id as string, columns.map((column) => row[column]).join('|')]))
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
): Promise<Map<string, string>> {
  const list = columns.map((column) => `toString(${quoteIdentifier(column)}) AS ${quoteIdentifier(column)}`).join(', ')
  const from = qualifiedTable(database, table)
  const query =
    engine === 'replacing'
      ? `SELECT toString(id) AS id, ${list} FROM ${from} FINAL`
      : engine === 'collapsing'
        ? `SELECT toString(id) AS id, ${list} FROM ${from} FINAL WHERE sign = 1`
        : `SELECT toString(id) AS id, ${list} FROM ${from} ORDER BY id LIMIT 1 BY id`
  const rows = await select(ch, query)
  return new Map(rows.map((row) => [row.id as string, columns.map((column) => row[column]).join('|')]))
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
): Promise<number> {
  const columns = ['id', ...identity].map(quoteIdentifier).join(', ')
  const query = `SELECT count() - uniqExact(${columns}) AS d FROM ${qualifiedTable(database, table)}`
  const rows = await select(ch, query)
  return Number(rows[0]?.d)
}
