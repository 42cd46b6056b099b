import { Transform, type TransformCallback } from 'node:stream'
import { to as copyTo } from 'pg-copy-streams'
import { insertTabSeparatedStream } from '../clickhouse/insert.js'
import { describeClickHouseError, insertFailure } from '../clickhouse/errors.js'
import { PoisonRowError, SchemaMismatchError, StorageError, messageOf, type ErrorContext } from '../errors.js'
import type { Claim } from '../storages/storage.js'
import type { Model } from '../models/model.js'
import { copyBinaryTextColumn } from '../source/copy-binary.js'
import { describeSourceTable } from '../source/describe.js'
import { qualifiedName } from '../source/source-table.js'
import { insertSettings } from '../sync/insert.js'
import { holdingLock } from '../sync/hold-lock.js'
import type { ModelRuntime, SyncRuntime, SyncTarget, SyncUnitRuntime } from '../sync/runtime.js'
import { noFaults, type FaultHook } from '../sync/fault-points.js'
import { excludeKeysSql, heldKeys } from './held-keys.js'
import { describeRange, rangeConditionSql, type BackfillRange } from './range.js'
import { renderBackfillRow } from './render-row.js'
import { backfillRowRule } from './version-rule.js'

export interface CopyRangeInput {
  importKey: string
  /** Names the backfill in tokens: a later backfill of the same table is not taken for a replay. */
  backfillId: string
  range: BackfillRange
}

export interface CopyRangeResult {
  /** Rows written, over every model and write alias. */
  rows: number
  /** Keys left out because ClickHouse held them (collapsing models). */
  excluded: number
  durationMs: number
}

/** The deduplication token of one range of one model on one write alias: the same on every retry. */
export function rangeToken(input: CopyRangeInput, model: string, alias: string): string {
  return `chsync-backfill/${input.importKey}/${input.backfillId}/${model}/${alias}/${input.range.index}`
}

/**
 * Copies one range of the source into every model and write alias of the unit: per target, one
 * `COPY (SELECT <rendered row> FROM source t WHERE <range> AND <model where>) TO STDOUT` streamed
 * into one INSERT with the range's token. Safe to re-run: a re-sent range carries the same token and
 * the server drops it; on a server without tokens ReplacingMergeTree absorbs the identical rows, and
 * collapsing models skip the keys already written (src/backfill/version-rule.ts).
 */
export async function copyRange(
  runtime: SyncRuntime,
  input: CopyRangeInput,
  progress: (rows: number) => void,
  options: { faults?: FaultHook; signal?: AbortSignal } = {},
): Promise<CopyRangeResult> {
  const faults = options.faults ?? noFaults
  const started = Date.now()
  const unit = runtime.unit(input.importKey)
  const { source } = unit.definition
  const description = await describeSourceTable(runtime.sourcePool, source)
  const { primaryKey } = description
  const condition = rangeConditionSql(input.range, primaryKey, 't')
  const filter = source.where ? ` AND (${source.where})` : ''
  const result = { rows: 0, excluded: 0 }
  for (const model of unit.definition.models) {
    const rule = backfillRowRule(model)
    const modelRuntime = unit.models.find((candidate) => candidate.name === model.table) as ModelRuntime
    const copyModel = async () => {
      const excluded = rule.excludeHeldKeys ? await heldKeys(runtime.sourcePool, source, modelRuntime, condition) : []
      result.excluded += excluded.length
      const row = renderBackfillRow(model, description, 't')
      const sql = `SELECT ${row.line} FROM ${qualifiedName(source)} t WHERE ${condition}${filter}${excludeKeysSql(source, excluded)}`
      for (const target of modelRuntime.targets) {
        const token = rangeToken(input, model.table, target.alias)
        const what = { unit, model, target, range: describeRange(input.range), signal: options.signal }
        result.rows += await copyInto(runtime, what, sql, row.columns, token, (rows) => progress(result.rows + rows))
        faults('copyRange:inserted')
      }
    }
    const owner = `chsync-backfill-${input.importKey}/range-${input.range.index}`
    if (rule.excludeHeldKeys) await withModelLock(runtime, unit, owner, copyModel, options.signal)
    else await copyModel()
  }
  return { ...result, durationMs: Date.now() - started }
}

/** How long a copy waits for the model's lock before it fails (and Temporal retries it, visibly). */
const LOCK_WAIT_MS = 60_000

/**
 * Runs `work` holding the model's sync lock (no round meanwhile), extended while it runs. The lock
 * is busy between a round's steps and while other ranges of the model copy: it is asked for again
 * every 50–500 ms rather than left to the activity's retry backoff, which grows to 30 s.
 */
async function withModelLock(
  runtime: SyncRuntime,
  unit: SyncUnitRuntime,
  owner: string,
  work: () => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS
  let hold: Claim | undefined
  for (let wait = 50; !hold; wait = Math.min(500, wait * 2)) {
    signal?.throwIfAborted()
    try {
      hold = await unit.storage.takeLock(unit.importKey, { owner, lockTtlMs: unit.lockTtlMs })
    } catch (error) {
      if (!(error instanceof StorageError) || Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  }
  try {
    await holdingLock(runtime, hold, work)
  } finally {
    await unit.storage.releaseLock(hold)
  }
}

/** One COPY streamed into one INSERT; returns the rows sent (lines of the stream). */
async function copyInto(
  runtime: SyncRuntime,
  copy: { unit: SyncUnitRuntime; model: Model; target: SyncTarget; range: string; signal: AbortSignal | undefined },
  sql: string,
  columns: readonly string[],
  token: string,
  progress: (rows: number) => void,
): Promise<number> {
  const { unit, model, target, range, signal } = copy
  signal?.throwIfAborted()
  const client = await runtime.sourcePool.connect()
  let rows = 0
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows += 1
      progress(rows)
      done(null, chunk)
    },
  })
  let failed: unknown
  try {
    // Binary COPY: the rendered lines arrive byte for byte, without COPY's own text escaping.
    const stream = client.query(copyTo(`COPY (${sql}) TO STDOUT (FORMAT binary)`))
    const lines = copyBinaryTextColumn()
    stream.on('error', (error) => counter.destroy(error))
    lines.on('error', (error) => counter.destroy(error))
    // Cancelled (the backfill was): the stream breaks off, so the insert fails and writes nothing.
    const abort = () => counter.destroy(signal?.reason instanceof Error ? signal.reason : new Error('cancelled'))
    signal?.addEventListener('abort', abort, { once: true })
    stream.pipe(lines).pipe(counter)
    await insertTabSeparatedStream(target.database, target.table, columns, counter, insertSettings(target, token, 0))
    return rows
  } catch (error) {
    failed = error
    const what = `backfill of ${model.table}, range ${range}, into ${target.alias}.${target.table}`
    const context = { importKey: unit.importKey, model: model.table, table: target.table }
    throw copyError(error, what, context, target.database.displayUrl)
  } finally {
    // A connection whose COPY broke off is not handed back to the pool.
    client.release(failed instanceof Error ? failed : undefined)
  }
}

/**
 * What a failed copy means. A row ClickHouse cannot parse, or a source query PostgreSQL refuses
 * (class 42: a table, column or right gone, a broken model `where`), no retry fixes: the backfill
 * blocks naming the range, and `chsync backfill resume` goes on once the row or the model is fixed.
 * Anything else (a server down) retries.
 */
function copyError(error: unknown, what: string, context: ErrorContext, displayUrl: string): unknown {
  const sqlState = (error as { code?: unknown }).code
  if (typeof sqlState === 'string' && /^42[0-9A-Z]{3}$/.test(sqlState))
    return new SchemaMismatchError(`${what}: PostgreSQL refused the range query: ${messageOf(error)}`, context, {
      cause: error,
    })
  if (insertFailure(error).kind === 'input')
    return new PoisonRowError(
      `${what}: ClickHouse rejected a row of the range: ${messageOf(error)}; fix the row or the model, then ` +
        `run chsync backfill resume ${context.importKey ?? ''}`,
      context,
      { cause: error },
    )
  return describeClickHouseError(error, what, { ...context, right: 'INSERT' }, displayUrl)
}
