import { Readable } from 'node:stream'
import { parseError, type ClickHouseSettings } from '@clickhouse/client'
import { messageOf } from '../errors.js'
import type { ClickHouseDatabase } from './client.js'
import { qualifiedTable, quoteIdentifier } from './sql.js'

/** The names chDB's raw insert accepts (it validates rather than quotes them). */
const PLAIN_IDENTIFIER = /^[A-Za-z0-9_]+$/

/**
 * Sends one JSONEachRow payload as one INSERT. On embedded ClickHouse the bytes go to the engine
 * zero-copy when the names allow it; elsewhere, and for names that need quoting, through the client.
 * Errors carry the server's code either way (`Code: N` — src/clickhouse/errors.ts sorts them).
 */
export async function insertJsonEachRow(
  db: ClickHouseDatabase,
  table: string,
  bytes: Buffer,
  settings: ClickHouseSettings,
): Promise<void> {
  if (db.rawInsert && PLAIN_IDENTIFIER.test(db.database) && PLAIN_IDENTIFIER.test(table)) {
    try {
      await db.rawInsert({
        table: `${db.database}.${table}`,
        values: bytes,
        format: 'JSONEachRow',
        settings: settings as Record<string, string | number | boolean>,
      })
    } catch (error) {
      // The same error shape as the client path (code, type), the engine's error kept as the cause.
      throw Object.assign(parseError(messageOf(error)), { cause: error })
    }
    return
  }
  const result = await db.client.exec({
    query: `INSERT INTO ${qualifiedTable(db.database, table)} FORMAT JSONEachRow`,
    values: Readable.from([bytes]),
    clickhouse_settings: settings,
  })
  // Read the (empty) response to its end: an unread one keeps its socket out of the keep-alive pool,
  // and the next requests then waited up to ~300 ms for a socket (measured by bench/orchestration).
  for await (const _ of result.stream) void _
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
  if (db.rawInsert && PLAIN_IDENTIFIER.test(db.database) && PLAIN_IDENTIFIER.test(table)) {
    const chunks: Buffer[] = []
    for await (const chunk of source) chunks.push(chunk)
    try {
      await db.rawInsert({
        table: `${db.database}.${table}`,
        columns: [...columns],
        values: Buffer.concat(chunks),
        format: 'TabSeparated',
        settings: settings as Record<string, string | number | boolean>,
      })
    } catch (error) {
      throw Object.assign(parseError(messageOf(error)), { cause: error })
    }
    return
  }
  const result = await db.client.exec({
    query: `INSERT INTO ${qualifiedTable(db.database, table)} (${columns.map(quoteIdentifier).join(', ')}) FORMAT TabSeparated`,
    values: Readable.from(source),
    clickhouse_settings: settings,
  })
  for await (const _ of result.stream) void _
}
