import { ConfigError, PoisonRowError, messageOf } from '../errors.js'
import { isDeletedColumnOf, signColumnOf, versionColumnOf } from '../models/engines/index.js'
import type { ClickHouseValue, Field } from '../models/fields/common.js'
import type { Model, SourceRow } from '../models/model.js'
import { parseInstant } from '../models/fields/time.js'
import { decodeKeyColumns } from '../source/keys.js'
import { forgetJsonTexts } from '../source/type-parsers.js'

/** A row ready for a JSONEachRow insert: column name → value. */
export type ClickHouseRow = Record<string, ClickHouseValue>

/** Columns chsync fills itself (version, sign, is_deleted): never mapped from the source. */
function engineColumns(model: Model): Set<string> {
  const { engine } = model
  return new Set(
    [versionColumnOf(engine), signColumnOf(engine), isDeletedColumnOf(engine)].filter(
      (column): column is string => column !== undefined,
    ),
  )
}

/** The per-model work every row would otherwise repeat: which fields to map, and from where. */
interface RowPlan {
  fields: [name: string, field: Field][]
}
const plans = new WeakMap<Model, RowPlan>()

function planOf(model: Model): RowPlan {
  let plan = plans.get(model)
  if (!plan) {
    const managed = engineColumns(model)
    plan = { fields: Object.entries(model.fields).filter(([name]) => !managed.has(name)) }
    plans.set(model, plan)
  }
  return plan
}

const computed = new WeakMap<Model, boolean>()

/** Whether a field is computed by a function of the source row (user code that sees the row). */
function hasComputedColumns(model: Model): boolean {
  let found = computed.get(model)
  if (found === undefined) {
    found = Object.values(model.columns).some((mapping) => typeof mapping === 'function')
    computed.set(model, found)
  }
  return found
}

/** Converts one value, wrapping a misfit with the model, key and column it belongs to. */
export function convertValue(model: Model, key: string, column: string, field: Field, value: unknown): ClickHouseValue {
  try {
    return field.toClickHouse(value)
  } catch (error) {
    if (!(error instanceof PoisonRowError)) throw error
    throw new PoisonRowError(
      `serialize ${model.table}.${column} for ${model.importKey}/key ${key}: ${messageOf(error)}`,
      { model: model.importKey, importKey: model.importKey, table: model.table, column },
      { cause: error },
    )
  }
}

/**
 * The default serializer: each field from the source column of its name, its rename, its computed
 * function or the model's whole-row serializer; a missing value takes the field's default (or is left
 * to the server's DEFAULT expression). Engine columns are left for the caller.
 */
export function serializeRow(model: Model, key: string, source: SourceRow): ClickHouseRow {
  if (model.serializer || hasComputedColumns(model)) forgetJsonTexts(source)
  const values = model.serializer ? (model.serializer(source) as Record<string, unknown>) : undefined
  const out: ClickHouseRow = {}
  for (const [name, field] of planOf(model).fields) {
    const mapping = values ? undefined : model.columns[name]
    let raw: unknown
    if (values) raw = values[name]
    else raw = typeof mapping === 'function' ? mapping(source) : source[mapping ?? name]
    if (raw === undefined) {
      if (field.options.defaultSQL !== undefined) continue
      if (field.options.default !== undefined) {
        out[name] = field.options.default
        continue
      }
      // A source column absent from the fetched row is the model's mistake, the same for every row:
      // fail the batch (and block the model) instead of parking each row as poison.
      if (!values && typeof mapping !== 'function' && !(String(mapping ?? name) in source))
        throw new ConfigError(
          `serialize ${model.table}.${name} for ${model.importKey}/key ${key}: the source row has no column ` +
            `${String(mapping ?? name)} (map it in columns, or give the field a default)`,
          { model: model.importKey, importKey: model.importKey, table: model.table, column: name },
        )
    }
    out[name] = convertValue(model, key, name, field, raw)
  }
  return out
}

/**
 * A row built from the encoded key alone, for a tombstone when ClickHouse's state is not at hand: key
 * fields from the decoded key, every other field its default or an empty value of its type.
 */
export function keyRow(model: Model, key: string): ClickHouseRow {
  const out: ClickHouseRow = {}
  for (const [name, field] of Object.entries(model.fields)) {
    if (field.options.defaultSQL !== undefined) continue
    out[name] = field.options.default ?? field.emptyValue()
  }
  const decoded = decodeKeyColumns(key, model.source.primaryKey)
  for (const [column, text] of Object.entries(decoded)) {
    const name = model.fieldForSourceColumn(column)
    if (name === undefined) continue
    out[name] = convertValue(model, key, name, model.fields[name] as Field, text)
  }
  return out
}

/**
 * A version column's value as a number to compare or increment. Input: what ClickHouse returns
 * (UInt64 as decimal text, UInt32 as a number, DateTime as `YYYY-MM-DD hh:mm:ss` text in UTC).
 */
export function versionNumber(value: ClickHouseValue | undefined): bigint {
  if (typeof value === 'number') return BigInt(Math.trunc(value))
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return BigInt(value)
    const instant = parseInstant(value)
    if (instant) return BigInt(instant.seconds)
  }
  return 0n
}
