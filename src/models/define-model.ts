import { ConfigError } from '../errors.js'
import { isSQLExpression, isDeletedColumnOf, signColumnOf, versionColumnOf, type KeyPart } from './engines/index.js'
import type { Field } from './fields/common.js'
import type { IntField } from './fields/int.js'
import { isStorageKind } from '../storages/open-storage.js'
import { Model, type Fields, type ModelConfig } from './model.js'

/** The largest sequence a storage hands out, with room to spare: Int64's maximum. */
const MAX_SEQUENCE = (1n << 63n) - 1n

function fail(model: ModelConfig<Fields>, message: string, column?: string): never {
  throw new ConfigError(`model ${model.importKey || model.table}: ${message}`, {
    model: model.importKey,
    importKey: model.importKey,
    table: model.table,
    ...(column === undefined ? {} : { column }),
  })
}

function keyColumns(parts: KeyPart<string> | readonly KeyPart<string>[] | undefined): string[] {
  if (parts === undefined) return []
  const list: readonly KeyPart<string>[] = Array.isArray(parts) ? parts : [parts as KeyPart<string>]
  return list.filter((part): part is string => !isSQLExpression(part))
}

/** The field under a wrapper that does not change the stored values (LowCardinality). */
function bare(field: Field): Field {
  return field.kind === 'lowCardinality' ? bare((field as Field & { inner: Field }).inner) : field
}

function checkEngine(config: ModelConfig<Fields>): void {
  const { engine, fields } = config
  const columns = [
    ...keyColumns(engine.orderBy),
    ...keyColumns(engine.partitionBy),
    ...keyColumns(engine.primaryKey),
    ...keyColumns(engine.sampleBy),
    ...(engine.kind === 'SummingMergeTree' ? (engine.columns ?? []) : []),
  ]
  const version = versionColumnOf(engine)
  const sign = signColumnOf(engine)
  const isDeleted = isDeletedColumnOf(engine)
  for (const column of [...columns, version, sign, isDeleted]) {
    if (column !== undefined && !(column in fields))
      fail(config, `engine ${engine.kind} names column ${column}, which is not a field`, column)
  }
  if (version !== undefined) {
    const field = bare(fields[version] as Field)
    if (field.kind !== 'int' && field.kind !== 'dateTime' && field.kind !== 'dateTime64' && field.kind !== 'date')
      fail(config, `version column ${version} must be an integer or date/time field`, version)
    // The storage's sequences (µs since the epoch, ~1.7e15) are written here unless a source column
    // supplies the version: a narrower column would reject, and park, every row.
    if (config.version === undefined && (field.kind !== 'int' || (field as IntField).max < MAX_SEQUENCE))
      fail(
        config,
        `version column ${version} (${field.toSQLType()}) cannot hold the storage's sequences (64-bit µs since ` +
          `the epoch): declare it uInt64() or int64(), or take the version from a source column (version: { column })`,
        version,
      )
  }
  if (sign !== undefined && (fields[sign] as Field).toSQLType() !== 'Int8')
    fail(config, `sign column ${sign} must be int8()`, sign)
  if (isDeleted !== undefined) {
    if (version === undefined) fail(config, 'ReplacingMergeTree with isDeleted needs a version column', isDeleted)
    if ((fields[isDeleted] as Field).toSQLType() !== 'UInt8')
      fail(config, `is_deleted column ${isDeleted} must be uInt8()`, isDeleted)
  }
}

/** True when the engine can express a delete (tombstone or cancel row). */
function canDelete(model: Pick<Model, 'engine'>): boolean {
  return isDeletedColumnOf(model.engine) !== undefined || signColumnOf(model.engine) !== undefined
}

/**
 * Declares a model: a ClickHouse table fed from a PostgreSQL table. Typed end to end — engine columns,
 * renames and computed fields must name fields, computed values must have the field's type — and
 * checked at runtime (throws `ConfigError` naming the model and column).
 *
 * @example
 * const users = defineModel({
 *   importKey: 'users',
 *   table: 'users',
 *   fields: { id: uInt64(), name: string(), version: uInt64(), is_deleted: uInt8() },
 *   engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
 *   source: { table: 'users', primaryKey: ['id'] },
 * })
 * type User = typeof users.$inferRow
 */
export function defineModel<const TFields extends Fields>(config: ModelConfig<TFields>): Model<TFields> {
  const untyped = config as unknown as ModelConfig<Fields>
  if (!config.importKey) fail(untyped, 'importKey must be a non-empty string')
  if (!config.table) fail(untyped, 'table must be a non-empty string')
  if (Object.keys(config.fields).length === 0) fail(untyped, 'needs at least one field')
  if (!config.source?.table) fail(untyped, 'source.table must be a non-empty string')
  if (!config.source.primaryKey?.length) fail(untyped, 'source.primaryKey must name at least one column')
  for (const name of Object.keys(config.columns ?? {})) {
    if (!(name in config.fields)) fail(untyped, `columns maps ${name}, which is not a field`, name)
  }
  checkEngine(untyped)
  const model = new Model(config)
  for (const setting of ['batchSize', 'chunkRows'] as const) {
    if (model.sync[setting] < 1 || !Number.isInteger(model.sync[setting]))
      fail(untyped, `sync.${setting} must be a whole number ≥ 1, got ${model.sync[setting]}`)
  }
  for (const setting of ['syncDelayMs', 'lockTimeoutMs'] as const) {
    const value = model.sync[setting]
    if (!Number.isFinite(value) || value < (setting === 'syncDelayMs' ? 0 : 1))
      fail(
        untyped,
        `sync.${setting} must be a number of milliseconds${setting === 'syncDelayMs' ? ' ≥ 0' : ' ≥ 1'}, got ${value}`,
      )
  }
  if (!isStorageKind(model.sync.storage)) fail(untyped, `sync.storage must be redis or postgres`)
  if (canDelete(model)) {
    // Tombstones and cancel rows locate the ClickHouse row by the source key.
    for (const column of model.source.primaryKey) {
      if (model.fieldForSourceColumn(column) === undefined)
        fail(untyped, `primary key column ${column} must map to a field (deletes locate rows by key)`, column)
    }
  }
  return model
}
