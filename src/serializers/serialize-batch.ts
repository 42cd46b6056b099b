import { ConfigError, PoisonRowError } from '../errors.js'
import { isDeletedColumnOf, isSQLExpression, signColumnOf, versionColumnOf } from '../models/engines/index.js'
import type { Field } from '../models/fields/common.js'
import type { Model, SourceRow, SyncUnit } from '../models/model.js'
import type { Operation } from '../storages/storage.js'
import { convertValue, keyRow, serializeRow, versionNumber, type ClickHouseRow } from './row.js'

/** What one round hands the serializer: the claimed operations and what was read for them. */
export interface BatchInput {
  /** The batch's operations, in sequence order. */
  operations: readonly Operation[]
  /**
   * Source rows by encoded key, read for every operation; a key missing here (row gone, or outside
   * `where`) is a delete, and a present key is written as its row even when the operation is a delete.
   */
  rows: ReadonlyMap<string, SourceRow>
  /**
   * The row ClickHouse holds per encoded key (`readCurrentState`), for models where
   * `needsCurrentState` is true: collapsing cancel rows, and tombstones that need more than the key.
   */
  currentState?: ReadonlyMap<string, ClickHouseRow>
}

/** An operation whose row does not fit its model: parked as a dead letter, never inserted. */
export interface PoisonOperation {
  operation: Operation
  /** Position of the operation in the input's `operations`. */
  index: number
  error: PoisonRowError
}

export interface SerializedBatch {
  /** JSONEachRow-ready rows for the model's table, in operation order. */
  rows: ClickHouseRow[]
  /**
   * `opIndex[i]` is the position in `operations` of the operation that produced `rows[i]` (a collapsing
   * update makes two rows), so a caller that must split or park rows can find their operations.
   */
  opIndex: number[]
  poison: PoisonOperation[]
}

/** True when a delete's ORDER BY columns can all be rebuilt from the source key. */
function keyCoversOrderBy(model: Model): boolean {
  const keyFields = new Set(model.source.primaryKey.map((column) => model.fieldForSourceColumn(column)))
  return model.engine.orderBy.every((part) => !isSQLExpression(part) && keyFields.has(part))
}

/**
 * Whether the sync must read the ClickHouse state of the batch's keys (`readCurrentState`) before
 * serializing: collapsing engines cancel the state they hold; a ReplacingMergeTree tombstone needs it
 * when its sorting key has columns beyond the source key, or when versions come from a source column.
 */
export function needsCurrentState(model: Model): boolean {
  const { engine } = model
  if (signColumnOf(engine) !== undefined) return true
  if (isDeletedColumnOf(engine) === undefined) return false
  return model.version !== undefined || !keyCoversOrderBy(model)
}

function versionField(model: Model, column: string): Field {
  return model.fields[column] as Field
}

/** The version of an upsert: the model's source version column, else the operation's sequence. */
function upsertVersion(model: Model, operation: Operation, source: SourceRow, column: string) {
  const value = model.version ? source[model.version.column] : operation.seq
  return convertValue(model, operation.key, column, versionField(model, column), value)
}

/**
 * A tombstone's version: the delete's sequence; or, when versions come from a source column, one step
 * above the live row's (one unit for integers, one second for times, one day for dates).
 */
function tombstoneVersion(model: Model, operation: Operation, current: ClickHouseRow | undefined, column: string) {
  const field = versionField(model, column)
  if (!model.version) return convertValue(model, operation.key, column, field, operation.seq)
  const live = versionNumber(current?.[column])
  const kind = field.kind === 'lowCardinality' ? (field as Field & { inner: Field }).inner.kind : field.kind
  if (kind === 'int') return convertValue(model, operation.key, column, field, live + 1n)
  const step = kind === 'date' ? 86_400 : 1
  return convertValue(model, operation.key, column, field, new Date((Number(live) + step) * 1000))
}

function serializeOperation(model: Model, input: BatchInput, operation: Operation): ClickHouseRow[] {
  const { engine } = model
  const version = versionColumnOf(engine)
  const sign = signColumnOf(engine)
  const isDeleted = isDeletedColumnOf(engine)
  // The source row decides, whatever the operation's kind: registrations made after COMMIT can
  // arrive out of commit order (a delete registered after the re-insert that followed it), and the
  // row read now is the state every earlier commit left.
  const source = input.rows.get(operation.key)
  const current = input.currentState?.get(operation.key)
  const out: ClickHouseRow[] = []
  // Collapsing: whatever ClickHouse holds for the key is cancelled first, byte for byte as read.
  if (sign !== undefined && current !== undefined) out.push({ ...current, [sign]: -1 })
  if (source !== undefined) {
    const row = serializeRow(model, operation.key, source)
    if (version !== undefined) row[version] = upsertVersion(model, operation, source, version)
    if (isDeleted !== undefined) row[isDeleted] = 0
    if (sign !== undefined) row[sign] = 1
    out.push(row)
    return out
  }
  if (isDeleted !== undefined && version !== undefined) {
    // Versions from a source column: without ClickHouse's row there is nothing to outrank (or delete).
    if (model.version && current === undefined) return out
    const base = current ?? keyRow(model, operation.key)
    out.push({ ...base, [version]: tombstoneVersion(model, operation, current, version), [isDeleted]: 1 })
    return out
  }
  if (sign !== undefined) return out
  if (model.deletes === 'ignore') return out
  throw new ConfigError(
    `delete of key ${operation.key} for ${model.importKey}: ${engine.kind} table ${model.table} cannot express a delete ` +
      "(use ReplacingMergeTree with isDeleted or a collapsing engine, or set deletes: 'ignore')",
    { model: model.importKey, importKey: model.importKey, table: model.table },
  )
}

/**
 * Serializes one batch for one model. Pure and deterministic: the same input gives identical rows
 * (versions come from operation sequences or source columns, never the clock). The source row decides:
 * an operation whose row is gone is a delete, and a delete whose row exists writes the row. Deletes become tombstones (ReplacingMergeTree + is_deleted), cancel
 * rows (collapsing engines), are skipped (`deletes: 'ignore'`) or throw `ConfigError`. A row that does
 * not fit its model is returned in `poison` and left out of `rows`.
 */
export function serializeBatch(model: Model, input: BatchInput): SerializedBatch {
  const rows: ClickHouseRow[] = []
  const opIndex: number[] = []
  const poison: PoisonOperation[] = []
  input.operations.forEach((operation, index) => {
    try {
      for (const row of serializeOperation(model, input, operation)) {
        rows.push(row)
        opIndex.push(index)
      }
    } catch (error) {
      if (!(error instanceof PoisonRowError)) throw error
      poison.push({ operation, index, error })
    }
  })
  return { rows, opIndex, poison }
}

export interface UnitBatchInput extends Omit<BatchInput, 'currentState'> {
  /** ClickHouse state per model table, then per encoded key. */
  currentState?: ReadonlyMap<string, ReadonlyMap<string, ClickHouseRow>>
}

export interface SerializedUnitBatch {
  /** One row set per model of the unit, in the unit's model order; `opIndex` indexes the input's operations. */
  batches: { model: Model; rows: ClickHouseRow[]; opIndex: number[] }[]
  /** Operations poison in any model: left out of every model's rows, so the models stay in step. */
  poison: PoisonOperation[]
}

/** Serializes a batch for every model of a sync unit (a multi-model feeds several tables from one fetch). */
export function serializeUnitBatch(unit: SyncUnit, input: UnitBatchInput): SerializedUnitBatch {
  const run = (operations: readonly Operation[]) =>
    unit.models.map((model) => {
      const currentState = input.currentState?.get(model.table)
      return serializeBatch(model, { operations, rows: input.rows, ...(currentState ? { currentState } : {}) })
    })
  let results = run(input.operations)
  const poison = new Map<string, PoisonOperation>()
  for (const item of results.flatMap((result) => result.poison)) {
    if (!poison.has(item.operation.key)) poison.set(item.operation.key, item)
  }
  // A key poison in one model is dropped from all of them, so every table of the unit stays in step.
  let positions = input.operations.map((_, index) => index)
  if (poison.size > 0) {
    positions = positions.filter((index) => !poison.has((input.operations[index] as Operation).key))
    results = run(positions.map((index) => input.operations[index] as Operation))
  }
  return {
    batches: unit.models.map((model, index) => {
      const result = results[index] as SerializedBatch
      return { model, rows: result.rows, opIndex: result.opIndex.map((position) => positions[position] as number) }
    }),
    poison: [...poison.values()],
  }
}
