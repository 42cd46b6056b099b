import type { ClickHouseSettings } from '@clickhouse/client'
import { insertPayload, type PayloadShape } from '../clickhouse/insert.js'
import { clickHouseErrorCode, describeClickHouseError, isRowError } from '../clickhouse/errors.js'
import { SchemaMismatchError, messageOf } from '../errors.js'
import { hashChunk, splitLines } from './payload.js'
import type { SyncTarget } from './runtime.js'

/**
 * Insert settings that make a chunk exactly-once and atomic as far as the server allows
 * (invariants 2 and 3). Only settings the server knows are sent: old servers reject unknown ones.
 */
export function insertSettings(target: SyncTarget, token: string, rows: number): ClickHouseSettings {
  const known = target.capabilities.settings
  const settings: ClickHouseSettings = {}
  const set = (name: keyof ClickHouseSettings, value: string | number) => {
    if (known.has(name)) Object.assign(settings, { [name]: value })
  }
  set('insert_deduplicate', 1)
  set('insert_deduplication_token', token)
  set('deduplicate_blocks_in_dependent_materialized_views', 1)
  // Synchronous: the insert is in the table when the activity returns, never buffered server-side.
  set('async_insert', 0)
  // A field the table lacks is an error, never silently dropped: the table no longer fits the model.
  set('input_format_skip_unknown_fields', 0)
  // A TSV payload never has a header line: 26.x would otherwise guess one from a first row of names.
  set('input_format_tsv_detect_header', 0)
  // One chunk = one block: not re-cut by parallel parsing, not split by row count.
  set('input_format_parallel_parsing', 0)
  set('max_insert_block_size', Math.max(rows, 1_048_576))
  set('min_insert_block_size_rows', 0)
  set('min_insert_block_size_bytes', 0)
  return settings
}

/** Sends one chunk's exact bytes as one INSERT, in the payload's format (JSONEachRow unless `shape` says). */
export async function insertChunk(
  target: SyncTarget,
  bytes: Buffer,
  token: string,
  rows: number,
  shape: PayloadShape = {},
): Promise<void> {
  await insertPayload(target.database, target.table, bytes, insertSettings(target, token, rows), shape)
}

/** A line of a chunk ClickHouse rejected on its own, with the server's reason. */
export interface RejectedLine {
  line: number
  error: string
}

/**
 * Inserts a chunk; when the server rejects its input as malformed, bisects it — each half is its own
 * insert with a token derived from the chunk's — until the rejected lines stand alone, and returns
 * them. Rejected input is refused before anything is written, so halves never double-write.
 * A chunk whose every line is rejected is not a chunk of poison rows but a table that does not fit:
 * that is thrown (as `SchemaMismatchError` where the code says so).
 */
export async function insertChunkBisecting(
  target: SyncTarget,
  bytes: Buffer,
  token: string,
  rows: number,
  context: { importKey: string; batchId: string; model: string },
  shape: PayloadShape = {},
): Promise<RejectedLine[]> {
  const what = `insert into ${target.alias}.${target.table} for ${context.model}/${context.batchId}`
  try {
    await insertChunk(target, bytes, token, rows, shape)
    return []
  } catch (error) {
    if (!isRowError(error))
      throw describeClickHouseError(
        error,
        what,
        { ...context, table: target.table, right: 'INSERT' },
        target.database.displayUrl,
      )
    const lines = splitLines(bytes)
    const rejected =
      lines.length > 1 ? await bisectHalves(target, lines, 0, token, shape) : [{ line: 0, error: messageOf(error) }]
    if (rejected.length === lines.length && lines.length > 1) {
      throw new SchemaMismatchError(
        `${what}: every row was rejected, so the table does not fit the model: ${messageOf(error)}`,
        { ...context, table: target.table, code: String(clickHouseErrorCode(error) ?? '') },
        { cause: error },
      )
    }
    return rejected
  }
}

/** Inserts each half of `lines` on its own, splitting further where a half is rejected. */
async function bisectHalves(
  target: SyncTarget,
  lines: Buffer[],
  offset: number,
  token: string,
  shape: PayloadShape,
): Promise<RejectedLine[]> {
  const half = Math.ceil(lines.length / 2)
  const left = await insertOrBisect(target, lines.slice(0, half), offset, token, shape)
  const right = await insertOrBisect(target, lines.slice(half), offset + half, token, shape)
  return [...left, ...right]
}

async function insertOrBisect(
  target: SyncTarget,
  lines: Buffer[],
  offset: number,
  token: string,
  shape: PayloadShape,
): Promise<RejectedLine[]> {
  const bytes = Buffer.concat(lines)
  try {
    await insertChunk(target, bytes, `${token}/${offset}+${lines.length}:${hashChunk(bytes)}`, lines.length, shape)
    return []
  } catch (error) {
    if (!isRowError(error)) throw error
    if (lines.length === 1) return [{ line: offset, error: messageOf(error) }]
    return await bisectHalves(target, lines, offset, token, shape)
  }
}
