import type { Readable } from 'node:stream'
import type pg from 'pg'
import type { ClickHouseCapabilities, ClickHouseDatabase } from '../clickhouse/index.js'
import type { SyncUnit } from '../models/model.js'
import type { RenderPath } from '../serializers/sql/render-path.js'
import type { FetchedRows } from '../source/fetch-isolating.js'
import type { SourceRow } from '../models/model.js'
import type { ClickHouseRow } from '../serializers/row.js'
import type { Operation, Storage } from '../storages/storage.js'
import type { ReplayIdentity } from './landed.js'

export type { ClickHouseRow, SourceRow }

/** One table a model writes to: a write alias of its routing. */
export interface SyncTarget {
  alias: string
  database: ClickHouseDatabase
  table: string
  capabilities: ClickHouseCapabilities
}

/** The rows one model makes of a batch. `opIndex[i]` is the operation that produced `rows[i]`. */
export interface SerializedModelBatch {
  model: string
  rows: ClickHouseRow[]
  opIndex: number[]
}

/** A batch serialized for every model of a unit, and the operations no model could serialize. */
export interface SerializedUnit {
  models: SerializedModelBatch[]
  poison: { index: number; error: Error }[]
}

/** What a sync round needs of one model: its state for collapsing deletes, and where it writes. */
export interface ModelRuntime {
  /** The model's ClickHouse table name: unique within a unit. */
  name: string
  /** Whether deletes/updates need the row as ClickHouse holds it (collapsing engines cancel it). */
  needsCurrentState: boolean
  /** The rows ClickHouse holds for these keys (read alias), keyed like operations. */
  readCurrentState(keys: readonly string[]): Promise<Map<string, ClickHouseRow>>
  /** How a retried chunk's rows are found in the table before it is re-sent, where that is needed (src/sync/landed.ts). */
  replayIdentity?: ReplayIdentity
  targets: readonly SyncTarget[]
}

/** Everything a round needs about one import key, resolved from the config at worker start. */
export interface SyncUnitRuntime {
  importKey: string
  /** The unit as configured (its models and source), for work compiled from the models (backfill). */
  definition: SyncUnit
  batchSize: number
  syncDelayMs: number
  lockTtlMs: number
  storage: Storage
  /**
   * One query: the source rows of these keys, keyed by encoded key; a missing key is a deleted row.
   * Keys that are not keys of the source table come back in `badKeys`, to be parked.
   */
  fetchRows(keys: readonly string[]): Promise<FetchedRows<SourceRow>>
  models: readonly ModelRuntime[]
  /** Where payloads are cut into chunks (one insert, one block each). @default CHUNK_MAX_ROWS / CHUNK_MAX_BYTES */
  chunkLimits?: { rows: number; bytes: number }
  /**
   * How the unit's rows are serialized: `sql` (PostgreSQL renders them, src/serializers/sql) or `js`
   * with the reason. Decided on first use from the source table's catalog and the model, then kept.
   */
  renderPath(): Promise<RenderPath>
  /** Runs `COPY … TO STDOUT` on the source pool: the output stream, read to its end or destroyed. */
  copyOut(sql: string): Promise<Readable>
  /** The source database as errors name it: `PostgreSQL at <URL, password masked>`. */
  sourceDisplay: string
  /**
   * Pure: the same inputs give the same rows, so a re-serialized batch is identical. `currentState`
   * is keyed by model name, then by encoded key.
   */
  serialize(
    operations: readonly Operation[],
    rows: ReadonlyMap<string, SourceRow>,
    currentState: ReadonlyMap<string, ReadonlyMap<string, ClickHouseRow>>,
  ): SerializedUnit
}

/** Looks up import keys; throws `ConfigError` naming an unknown one. */
export interface SyncRuntime {
  unit(importKey: string): SyncUnitRuntime
  /** The source database's pool, for streamed reads (COPY) that need a connection of their own. */
  sourcePool: pg.Pool
  importKeys(): string[]
  close(): Promise<void>
}
