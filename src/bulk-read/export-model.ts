import { once } from 'node:events'
import type { Writable } from 'node:stream'
import type { ClickHouseCapabilities } from '../clickhouse/capabilities.js'
import type { ClickHouseDatabase } from '../clickhouse/client.js'
import { ConfigError } from '../errors.js'
import type { Model } from '../models/model.js'
import { currentStateQuery, type WhereClause } from './current-state-query.js'

/** File formats `exportModel` writes; ClickHouse renders each one itself. A closed vocabulary. */
export const EXPORT_FORMATS = ['jsonl', 'csv', 'parquet'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

const CLICKHOUSE_FORMAT: Record<ExportFormat, string> = {
  jsonl: 'JSONEachRow',
  csv: 'CSVWithNames',
  parquet: 'Parquet',
}

export interface ExportOptions {
  format: ExportFormat
  /** @default every field */
  columns?: readonly string[]
  where?: WhereClause
  /** Called as rows are written, with the count so far (not for parquet, which has no row delimiter). */
  onRows?: (rows: number) => void
  signal?: AbortSignal
}

/**
 * Counts the rows of a JSONEachRow or CSV byte stream: a row ends at a newline outside quotes (JSON
 * escapes newlines in strings; CSV quotes a field with one and doubles its quotes, so quote parity
 * tells inside from outside across chunk cuts).
 */
function rowCounter(format: ExportFormat): ((chunk: Buffer) => number) | undefined {
  if (format === 'parquet') return undefined
  if (format === 'jsonl')
    return (chunk) => {
      let rows = 0
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows++
      return rows
    }
  let quoted = false
  let header = true
  return (chunk) => {
    let rows = 0
    for (const byte of chunk) {
      if (byte === 34) quoted = !quoted
      else if (byte === 10 && !quoted) {
        if (header) header = false
        else rows++
      }
    }
    return rows
  }
}

/**
 * Writes a model's current state (as `readModel` reads it) to `output` as JSON lines, CSV with a
 * header, or Parquet, rendered by ClickHouse and streamed through with backpressure. Parquet needs
 * a target that writes it (chDB, ClickHouse ≥ 19.x; not 18.16: ConfigError). Returns the rows written
 * (undefined for parquet) and the bytes.
 */
export async function exportModel(
  db: ClickHouseDatabase,
  model: Model,
  capabilities: Pick<ClickHouseCapabilities, 'queryParameters' | 'outputFormats' | 'version'>,
  options: ExportOptions,
  output: Writable,
): Promise<{ rows: number | undefined; bytes: number }> {
  const format = CLICKHOUSE_FORMAT[options.format]
  if (!capabilities.outputFormats.has(format))
    throw new ConfigError(
      `export of ${model.importKey} as ${options.format}: ClickHouse ${capabilities.version} cannot write ${format} ` +
        `(use --format ${EXPORT_FORMATS.filter((name) => capabilities.outputFormats.has(CLICKHOUSE_FORMAT[name])).join(' or ')}, ` +
        'or export from a newer server or chDB)',
      { model: model.importKey, table: model.table },
    )
  const hasParams = Object.keys(options.where?.params ?? {}).length > 0
  const bind = hasParams && (db.kind === 'embedded' || capabilities.queryParameters)
  const query = currentStateQuery(db, model, { ...options, bind })
  const result = await db.client.exec({
    query: `${query.sql} FORMAT ${format}`,
    // The same text on every target: 64-bit integers quoted, as JSON cannot hold them exactly.
    clickhouse_settings: {
      ...query.settings,
      ...(format === 'JSONEachRow' ? { output_format_json_quote_64bit_integers: 1 } : {}),
    },
    ...(query.params ? { query_params: query.params } : {}),
    ...(options.signal ? { abort_signal: options.signal } : {}),
  })
  const count = rowCounter(options.format)
  let rows = 0
  let bytes = 0
  for await (const chunk of result.stream as AsyncIterable<Buffer>) {
    bytes += chunk.length
    if (count) {
      rows += count(chunk)
      options.onRows?.(rows)
    }
    if (!output.write(chunk)) await once(output, 'drain')
  }
  return { rows: count ? rows : undefined, bytes }
}
