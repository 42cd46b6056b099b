import type { ClickHouseDatabase } from '../clickhouse/client.js'
import type { CurrentStateQuery } from './current-state-query.js'

/**
 * The raw RowBinary bytes of a query, chunk by chunk as the target produces them. From a server the
 * HTTP response is read as it arrives and pauses (TCP backpressure) while a chunk is decoded: memory
 * holds a chunk, not the result. chDB answers with the whole result in one buffer: its streaming
 * query (chdb 3.4) is cut off by any other query of the process — a sync insert — so it cannot be
 * used while a worker runs. Leaving the loop early cancels the query.
 */
export async function* rowBinaryChunks(
  db: ClickHouseDatabase,
  query: Pick<CurrentStateQuery, 'sql' | 'params' | 'settings'>,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const result = await db.client.exec({
    query: `${query.sql} FORMAT RowBinary`,
    clickhouse_settings: query.settings,
    ...(query.params ? { query_params: query.params } : {}),
    ...(signal ? { abort_signal: signal } : {}),
  })
  for await (const chunk of result.stream as AsyncIterable<Buffer>) yield chunk
}
