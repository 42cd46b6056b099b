import { Readable } from 'node:stream'
import { parseError, type ClickHouseSettings } from '@clickhouse/client'
import { messageOf } from '../errors.js'
import type { ClickHouseDatabase } from './client.js'
import { qualifiedTable, quoteIdentifier } from './sql.js'

/** The names chDB's raw insert accepts (it validates rather than quotes them). */
const PLAIN_IDENTIFIER = /^[A-Za-z0-9_]+$/

/** The input formats chsync sends: JSONEachRow (rows serialized in JS), TabSeparated (rows PostgreSQL rendered). */
export const INSERT_FORMATS = ['JSONEachRow', 'TabSeparated'] as const
export type InsertFormat = (typeof INSERT_FORMATS)[number]

/** How a payload's lines are laid out: the format, and for TSV the column of each field. */
export interface PayloadShape {
  /** @default 'JSONEachRow' */
  format?: InsertFormat
  /** The insert's column list, in field order; required for TabSeparated. @default every column (JSON names them) */
  columns?: readonly string[]
}

/**
 * Sends one payload as one INSERT. On embedded ClickHouse the bytes go to the engine
 * zero-copy when the names allow it; elsewhere, and for names that need quoting, through the client.
 * Errors carry the server's code either way (`Code: N` — src/clickhouse/errors.ts sorts them).
 */
export async function insertPayload(
  db: ClickHouseDatabase,
  table: string,
  bytes: Buffer,
  settings: ClickHouseSettings,
  shape: PayloadShape = {},
): Promise<void> {
  const format = shape.format ?? 'JSONEachRow'
  const columns = shape.columns ?? []
  const plain = [db.database, table, ...columns].every((name) => PLAIN_IDENTIFIER.test(name))
  if (db.rawInsert && plain) {
    try {
      await db.rawInsert({
        table: `${db.database}.${table}`,
        values: bytes,
        format,
        ...(columns.length > 0 ? { columns: [...columns] } : {}),
        settings: settings as Record<string, string | number | boolean>,
      })
    } catch (error) {
      // The same error shape as the client path (code, type), the engine's error kept as the cause.
      throw Object.assign(parseError(messageOf(error)), { cause: error })
    }
    return
  }
  const result = await db.client.exec({
    query: `INSERT INTO ${qualifiedTable(db.database, table)}${columnList(columns)} FORMAT ${format}`,
    values: Readable.from([bytes]),
    clickhouse_settings: settings,
  })
  // Read the (empty) response to its end: an unread one keeps its socket out of the keep-alive pool,
  // and the next requests then waited up to ~300 ms for a socket (measured by bench/orchestration).
  for await (const _ of result.stream) void _
}

function columnList(columns: readonly string[]): string {
  return columns.length > 0 ? ` (${columns.map(quoteIdentifier).join(', ')})` : ''
}

/**
 * Sends a TabSeparated stream into `columns` of `table` as ONE INSERT. A server receives it streamed
 * (the request body follows the stream, with its backpressure); the embedded engine takes one buffer
 * through its zero-copy insert, because its own stream insert cuts the stream into several inserts
 * that would each carry the same deduplication token. So in-process memory is one stream's window on
 * a server and one whole payload on chDB: the caller bounds the payload (a backfill range).
 */
export async function insertTabSeparatedStream(
  db: ClickHouseDatabase,
  table: string,
  columns: readonly string[],
  source: AsyncIterable<Buffer>,
  settings: ClickHouseSettings,
): Promise<void> {
  if (db.rawInsert) {
    const chunks: Buffer[] = []
    for await (const chunk of source) chunks.push(chunk)
    await insertPayload(db, table, Buffer.concat(chunks), settings, { format: 'TabSeparated', columns })
    return
  }
  const result = await db.client.exec({
    query: `INSERT INTO ${qualifiedTable(db.database, table)}${columnList(columns)} FORMAT TabSeparated`,
    values: Readable.from(source),
    clickhouse_settings: settings,
  })
  for await (const _ of result.stream) void _
}
