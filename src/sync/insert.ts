import type { ClickHouseSettings } from '@clickhouse/client'
import { insertPayload, type PayloadShape } from '../clickhouse/insert.js'
import {
  clickHouseErrorCode,
  describeClickHouseError,
  insertFailure,
  type InsertFailure,
} from '../clickhouse/errors.js'
import { ChsyncError, SchemaMismatchError, messageOf } from '../errors.js'
import { withoutLanded, type ReplayIdentity } from './landed.js'
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
  // One chunk = one block: not re-cut by parallel parsing, not split by row count.
  set('input_format_parallel_parsing', 0)
  set('max_insert_block_size', Math.max(rows, 1_048_576))
  set('min_insert_block_size_rows', 0)
  set('min_insert_block_size_bytes', 0)
  // A TSV payload never has a header line: 26.x would otherwise guess one from a first row of names.
  set('input_format_tsv_detect_header', 0)
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
 * Attempts of insertBatch (the activity's attempt number) a chunk a view fails on is tried before the
 * model blocks: fewer than the activity's own (workflows/activity-options.ts), so the round blocks
 * instead of failing and starting over. The retries give a view being fixed (or a failure that
 * only looked like data) its chance; past them no retry helps — the same rows fail the same view.
 */
export const VIEW_FAILURE_ATTEMPTS = 3

interface InsertContext {
  importKey: string
  batchId: string
  model: string
}

export interface InsertOptions {
  /** insertBatch's attempt (the activity's): a view failing on values blocks from VIEW_FAILURE_ATTEMPTS. @default 1 */
  attempt?: number
  /**
   * The chunk may have landed before, past the table's deduplication window, in a table where a
   * replay changes the result: send only its rows not found there (src/sync/landed.ts).
   */
  recheck?: ReplayIdentity
  /** The chunk's format and columns. @default JSONEachRow of every column */
  shape?: PayloadShape
}

/**
 * Inserts a chunk; when the server refused its input, isolates the rows it refused — each retry is
 * its own insert with a token derived from the chunk's and its rows — and returns them. Refused
 * input is refused before anything is written, so those inserts never double-write; where the server
 * names the row it stopped at, the chunk is re-sent without it (one insert per refused row), else
 * it is halved. A chunk whose every line is refused is not a chunk of poison rows but a table that
 * does not fit: that is thrown (as `SchemaMismatchError`).
 *
 * A materialized view that fails does so after the table took the block: the chunk is never split
 * (its halves would land again under new tokens, and a view failing on every row would cost 2n−1
 * inserts). It is retried whole with its own token — absorbed by deduplication where the server has
 * tokens — and from attempt `VIEW_FAILURE_ATTEMPTS` on, a view failing on values blocks the model.
 * With `recheck`, the rows already in the table are left out first (returned lines stay the chunk's).
 */
export async function insertChunkBisecting(
  target: SyncTarget,
  bytes: Buffer,
  token: string,
  rows: number,
  context: InsertContext,
  options: InsertOptions = {},
): Promise<RejectedLine[]> {
  if (options.recheck) {
    const rest = await withoutLanded(target, bytes, token, options.recheck).catch((error: unknown) => {
      throw describeClickHouseError(
        error,
        `check which rows of chunk ${token} are in ${target.alias}.${target.table} before re-sending it`,
        { ...context, table: target.table, right: 'SELECT' },
        target.database.displayUrl,
      )
    })
    if (rest.lines.length === 0) return []
    const rejected = await insertChunkIsolating(target, rest.bytes, rest.token, rest.lines.length, context, options)
    return rejected.map((line) => ({ ...line, line: rest.lines[line.line] as number }))
  }
  return await insertChunkIsolating(target, bytes, token, rows, context, options)
}

/** `insertChunkBisecting` without the check of what landed. */
async function insertChunkIsolating(
  target: SyncTarget,
  bytes: Buffer,
  token: string,
  rows: number,
  context: InsertContext,
  { attempt = 1, shape = {} }: InsertOptions,
): Promise<RejectedLine[]> {
  const what = `insert into ${target.alias}.${target.table} for ${context.model}/${context.batchId}`
  // Any failure but refused input, as the error to throw: the same whether the first insert or one
  // while isolating rows met it.
  const failed = (error: unknown) => {
    const failure = insertFailure(error)
    if (failure.kind === 'view') return viewFailure(target, error, failure, what, context, attempt)
    return describeClickHouseError(
      error,
      what,
      { ...context, table: target.table, right: 'INSERT' },
      target.database.displayUrl,
    )
  }
  try {
    await insertChunk(target, bytes, token, rows, shape)
    return []
  } catch (error) {
    const failure = insertFailure(error)
    if (failure.kind !== 'input') throw failed(error)
    const lines = splitLines(bytes).map((line, at) => ({ at, bytes: line }))
    const rejected = await isolateRejected(target, lines, token, shape, failure, error).catch((inner: unknown) => {
      throw failed(inner)
    })
    if (rejected.length === lines.length && lines.length > 1) {
      throw new SchemaMismatchError(
        `${what}: every row was rejected, so the table does not fit the model: ${messageOf(error)}`,
        { ...context, table: target.table, code: String(clickHouseErrorCode(error) ?? '') },
        { cause: error },
      )
    }
    return rejected.sort((a, b) => a.line - b.line)
  }
}

/**
 * The error for a chunk a view failed on: for a passing cause, what `describeClickHouseError` makes
 * of it; on values, retryable before `VIEW_FAILURE_ATTEMPTS`, then a `SchemaMismatchError` that blocks the model and says the way out. The operations
 * stay claimed and unsynced until then.
 */
function viewFailure(
  target: SyncTarget,
  error: unknown,
  { view, data }: Extract<InsertFailure, { kind: 'view' }>,
  what: string,
  context: InsertContext,
  attempt: number,
): unknown {
  if (!data)
    return describeClickHouseError(error, what, { ...context, table: target.table }, target.database.displayUrl)
  const located = { ...context, table: target.table, code: String(clickHouseErrorCode(error) ?? '') }
  const failed =
    `${what}: materialized view ${view} on ${target.database.database}.${target.table} failed on the chunk's ` +
    `rows after the table took them: ${messageOf(error)}`
  if (attempt < VIEW_FAILURE_ATTEMPTS)
    return new ChsyncError(`${failed} (attempt ${attempt}; retried whole, never split)`, located, { cause: error })
  return new SchemaMismatchError(
    `${failed} (attempt ${attempt}). Every operation of the batch is kept: fix the view, then run ` +
      `chsync resume ${context.importKey}; or park the rows it rejects (chsync pause, chsync skip ` +
      `${context.importKey} KEY…, chsync resume)`,
    located,
    { cause: error },
  )
}

interface Line {
  /** Index in the chunk (its operation's position in the chunk's `opIndex`). */
  at: number
  bytes: Buffer
}

/**
 * The refused rows of `lines`, whose insert failed with `failure`: the row the server named, then
 * whatever the rest (sent again without it) refuses; or, where no row is named, each half's.
 */
async function isolateRejected(
  target: SyncTarget,
  lines: Line[],
  token: string,
  shape: PayloadShape,
  failure: Extract<InsertFailure, { kind: 'input' }>,
  error: unknown,
): Promise<RejectedLine[]> {
  if (lines.length === 1) return [{ line: (lines[0] as Line).at, error: messageOf(error) }]
  const named = failure.row !== undefined && failure.row <= lines.length ? failure.row - 1 : undefined
  if (named !== undefined) {
    const rejected = { line: (lines[named] as Line).at, error: messageOf(error) }
    const rest = lines.filter((_, index) => index !== named)
    return [rejected, ...(await insertOrIsolate(target, rest, token, shape))]
  }
  const half = Math.ceil(lines.length / 2)
  const left = await insertOrIsolate(target, lines.slice(0, half), token, shape)
  const right = await insertOrIsolate(target, lines.slice(half), token, shape)
  return [...left, ...right]
}

/** Inserts `lines` as one insert, isolating the rows it refuses. */
async function insertOrIsolate(
  target: SyncTarget,
  lines: Line[],
  token: string,
  shape: PayloadShape,
): Promise<RejectedLine[]> {
  if (lines.length === 0) return []
  const bytes = Buffer.concat(lines.map((line) => line.bytes))
  try {
    // The same lines, in the same order, get the same token on a retried attempt.
    const first = (lines[0] as Line).at
    await insertChunk(target, bytes, `${token}/${first}+${lines.length}:${hashChunk(bytes)}`, lines.length, shape)
    return []
  } catch (error) {
    const failure = insertFailure(error)
    if (failure.kind !== 'input') throw error
    return await isolateRejected(target, lines, token, shape, failure, error)
  }
}
