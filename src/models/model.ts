import type { Engine } from './engines/index.js'
import type { Field } from './fields/common.js'
import type { SourceTable } from '../source/source-table.js'
import type { StorageKind } from '../storages/open-storage.js'

export type { SourceTable, StorageKind }

/** A model's fields by ClickHouse column name. */
export type Fields = Record<string, Field>
/** The column names of a field set. */
export type ColumnName<TFields extends Fields> = keyof TFields & string
/** The row a model holds: each column's JS value type. */
export type InferRow<TFields extends Fields> = { -readonly [K in keyof TFields]: TFields[K]['$type'] }

/** A row as `pg` returns it from the source table. */
export type SourceRow = Record<string, unknown>

/** How a model is synced (reference/synchronization.md), resolved with defaults. */
export interface SyncSettings {
  /** @default true */
  enabled: boolean
  /** Most operations one round claims. @default 10000 */
  batchSize: number
  /** Sleep between rounds while there is no backlog. @default 5000 */
  syncDelayMs: number
  /** @default 'redis' */
  storage: StorageKind
  /** Lock lifetime; the holder extends it while it works. @default 120000 */
  lockTimeoutMs: number
  /**
   * Most rows one insert carries: a batch with more rows is sent as several chunks, each one
   * block with its own deduplication token. Lower it for a server with little memory per insert.
   * @default 100000
   */
  chunkRows: number
}

export const DEFAULT_SYNC_SETTINGS: SyncSettings = {
  enabled: true,
  batchSize: 10_000,
  syncDelayMs: 5_000,
  storage: 'redis',
  lockTimeoutMs: 120_000,
  chunkRows: 100_000,
}

/**
 * Database aliases (config `databases`) a model reads from, writes to and migrates on
 * (reference/motivation.md). Unset lists take the defaults of the config's router.
 */
export interface Routing {
  readAliases?: readonly string[]
  writeAliases?: readonly string[]
  migrateReplicatedAliases?: readonly string[]
  migrateNonReplicatedAliases?: readonly string[]
}

/**
 * Where a field's value comes from when it is not the source column of the same name: another source
 * column (a rename), or a function of the source row whose result must have the field's type.
 */
export type ColumnMapping<TFields extends Fields> = {
  [K in keyof TFields]?: string | ((row: SourceRow) => TFields[K]['$type'])
}

/** A whole-row serializer: returns the field values (typed); fields it leaves out take their default. */
export type RowSerializer<TFields extends Fields> = (row: SourceRow) => Partial<InferRow<TFields>>

/** What `defineModel` takes. */
export interface ModelConfig<TFields extends Fields> {
  /** Unique, stable name of the sync stream (storage keys, workflow id `chsync-sync-<importKey>`). */
  importKey: string
  /** ClickHouse table name (in each alias's database). */
  table: string
  fields: TFields
  engine: Engine<ColumnName<TFields>>
  source: SourceTable
  /** Renames and computed fields for the default (by-name) serializer. @default each field from its namesake */
  columns?: ColumnMapping<TFields>
  /** Replaces the by-name mapping; chsync still fills version, sign and is_deleted. @default by name */
  serializer?: RowSerializer<TFields>
  /** @default DEFAULT_SYNC_SETTINGS */
  sync?: Partial<SyncSettings>
  /**
   * `'ignore'`: drop delete operations on an engine that cannot express a delete (MergeTree,
   * ReplacingMergeTree without is_deleted, Summing, Aggregating). Without it such a delete is a
   * ConfigError. @default undefined (reject)
   */
  deletes?: 'ignore'
  /**
   * A source column holding the row version (e.g. `updated_seq`), written to the engine's version
   * column. @default the storage's operation sequence
   */
  version?: { column: string }
  /** @default the config's router (see src/routing) */
  routing?: Routing
}

/** A declared model. Build with `defineModel`. */
export class Model<TFields extends Fields = Fields> {
  readonly kind = 'model'
  /** Type-level only: the row type, `typeof users.$inferRow`. */
  declare readonly $inferRow: InferRow<TFields>
  readonly importKey: string
  readonly table: string
  readonly fields: TFields
  readonly engine: Engine
  readonly source: Required<Pick<SourceTable, 'schema'>> & SourceTable
  readonly columns: ColumnMapping<TFields>
  readonly serializer: RowSerializer<TFields> | undefined
  readonly sync: SyncSettings
  readonly deletes: 'ignore' | undefined
  readonly version: { column: string } | undefined
  readonly routing: Routing

  constructor(config: ModelConfig<TFields>) {
    this.importKey = config.importKey
    this.table = config.table
    this.fields = config.fields
    this.engine = config.engine
    this.source = { schema: 'public', ...config.source }
    this.columns = config.columns ?? {}
    this.serializer = config.serializer
    this.sync = { ...DEFAULT_SYNC_SETTINGS, ...config.sync }
    this.deletes = config.deletes
    this.version = config.version
    this.routing = config.routing ?? {}
  }

  static is(value: unknown): value is Model {
    return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'model'
  }

  /** The field filled from a source column (same name or renamed to it), if any. */
  fieldForSourceColumn(column: string): string | undefined {
    return Object.keys(this.fields).find((name) => {
      const mapping = this.columns[name]
      return mapping === undefined ? name === column : mapping === column
    })
  }
}

/** Several models fed by one source table and one import key: one fetch, several inserts. */
export interface MultiModel {
  readonly kind: 'multiModel'
  readonly importKey: string
  readonly source: Model['source']
  readonly sync: SyncSettings
  readonly models: readonly Model[]
}

/** What one sync workflow drives: a model, or the models of a multi-model. */
export interface SyncUnit {
  importKey: string
  source: Model['source']
  sync: SyncSettings
  models: readonly Model[]
}
