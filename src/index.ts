/**
 * chsync's public API: everything a user imports comes from here, and nothing else is public (so a
 * refactor of the internals breaks no user). docs/api.md documents each group; test/types/api.ts
 * pins the list, so adding or removing an export is a deliberate change of both.
 */

// Configuration (chsync.config.ts).
export { defineConfig, loadConfig, parseConfig } from './config/index.js'
export type {
  ActivityTimeouts,
  ChsyncConfig,
  DatabaseConfig,
  ResolvedConfig,
  RouterConfig,
  TemporalSettings,
} from './config/index.js'
export type { ResolvedRouting, RouteFunction } from './routing/index.js'

// Models: defineModel / defineMultiModel, one factory per ClickHouse type, one per engine, their DDL.
export { defineModel, defineMultiModel, createTableSql, createTableStatement } from './models/index.js'
export {
  array,
  bool,
  date,
  date32,
  dateTime,
  dateTime64,
  decimal,
  enum8,
  enum16,
  fixedString,
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  int128,
  int256,
  ipv4,
  ipv6,
  lowCardinality,
  map,
  nullable,
  string,
  tuple,
  uInt8,
  uInt16,
  uInt32,
  uInt64,
  uInt128,
  uInt256,
  uuid,
} from './models/index.js'
export {
  aggregatingMergeTree,
  collapsingMergeTree,
  mergeTree,
  replacingMergeTree,
  replicated,
  sql,
  summingMergeTree,
  versionedCollapsingMergeTree,
} from './models/index.js'
export type {
  AggregatingMergeTreeEngine,
  ArrayField,
  ArrayOptions,
  BoolField,
  ClickHouseValue,
  CollapsingMergeTreeEngine,
  ColumnMapping,
  ColumnName,
  CreateTableOptions,
  DateField,
  DateTime64Field,
  DateTimeField,
  DecimalField,
  Engine,
  EngineKind,
  EngineSettings,
  EnumField,
  EnumValues,
  Field,
  FieldKind,
  FieldOptions,
  Fields,
  FixedStringField,
  FloatField,
  InferRow,
  IntBits,
  IntField,
  IPField,
  KeyPart,
  LowCardinalityField,
  MapField,
  MergeTreeEngine,
  MergeTreeOptions,
  Model,
  ModelConfig,
  MultiModel,
  NullableField,
  ReplacingMergeTreeEngine,
  Replication,
  Routing,
  RowSerializer,
  SourceRow,
  SQLExpression,
  Statement,
  StringField,
  SummingMergeTreeEngine,
  SyncSettings,
  SyncUnit,
  TupleField,
  UUIDField,
  VersionedCollapsingMergeTreeEngine,
} from './models/index.js'

// Storages and registration: where changes wait until a round syncs them.
export { openStorage, PostgresStorage, RedisStorage } from './storages/index.js'
export type {
  DeadLetter,
  Operation,
  OperationKind,
  PostgresStorageOptions,
  RedisStorageOptions,
  Storage,
  StorageConfig,
  StorageKind,
} from './storages/index.js'
export { decodeKey, encodeKey } from './source/index.js'
export type { KeyValue } from './source/index.js'

// Capture: registering changes from the app (withCapture) or from PostgreSQL triggers.
export { checkingKeys, installCapture, relayOutbox, removeCapture, withCapture } from './capture/index.js'
export type { Capture, CaptureKey, CaptureTarget, RelayOptions } from './capture/index.js'

// ClickHouse connections.
export { openClickHouse, probeCapabilities, qualifiedTable, quoteIdentifier } from './clickhouse/index.js'
export type { ClickHouseCapabilities, ClickHouseDatabase, ClickHouseTarget } from './clickhouse/index.js'

// Bulk read: a model's current state (one row per key, deletes applied) as typed rows or columns.
export { countModelRows, EXPORT_FORMATS, exportModel, readModel, readModelColumns } from './bulk-read/index.js'
export type {
  ColumnarResult,
  ColumnOf,
  ExportFormat,
  ExportOptions,
  NumericArray,
  NumericArrayOf,
  ReadColumnsOptions,
  ReadModelOptions,
  ReadRow,
  ReadValue,
  VectorColumn,
  WhereClause,
} from './bulk-read/index.js'

// Migrations: the operations a migration file exports, and makemigrations / migrate / check.
export { alterTable, checkModels, createTable, dropTable, makeMigrations, migrate, runSQL } from './migrations/index.js'
export type {
  AlterTableOperation,
  CreateTableOperation,
  DropTableOperation,
  MakeMigrationsOptions,
  MigrateOptions,
  MigrateResult,
  MigrationHints,
  MigrationOperation,
  ModelCheck,
  RunSQLOperation,
} from './migrations/index.js'

// The worker (application layer) and what it runs on.
export { createWorker } from './app/worker/index.js'
export type { WorkerOptions } from './app/worker/index.js'
export { openSyncRuntime } from './sync/index.js'
export type { SyncRuntime } from './sync/index.js'
export { serveMetrics, SyncMetrics } from './metrics/index.js'
export { createLogger } from './logger.js'
export type { Logger } from './logger.js'

// Driving sync workflows through a Temporal client: what the CLI's start/pause/resume/stop/flush/status do.
export {
  backlogSearchAttribute,
  connectClient,
  flushUpdate,
  lastSyncTimeSearchAttribute,
  modelSearchAttribute,
  pauseSignal,
  resumeSignal,
  SEARCH_ATTRIBUTES,
  startSync,
  stateSearchAttribute,
  statusQuery,
  stopSignal,
  syncHandle,
  syncWorkflowId,
} from './app/temporal/index.js'
export type {
  BatchSummary,
  ErrorSummary,
  FlushOptions,
  FlushResult,
  SyncState,
  SyncStatus,
  SyncWorkflowHandle,
} from './app/temporal/index.js'

// Errors: one class per decision the caller makes.
export { ChsyncError, ConfigError, PoisonRowError, SchemaMismatchError, StorageError } from './errors.js'
export type { ErrorContext } from './errors.js'
