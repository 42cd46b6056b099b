import type { ClickHouseCapabilities, ClickHouseDatabase } from '../clickhouse/index.js'
import type { Operation, Storage } from '../storages/storage.js'

/** A source row as `pg` returns it, column name → value. */
export type SourceRow = Record<string, unknown>
/** A row ready for a JSONEachRow insert, column name → value. */
export type ClickHouseRow = Record<string, unknown>

/** One table a model writes to: a write alias of its routing. */
export interface SyncTarget {
  alias: string
  database: ClickHouseDatabase
  table: string
  capabilities: ClickHouseCapabilities
}

/** The rows one model makes of a batch. `opIndex[i]` is the operation that produced `rows[i]`. */
export interface SerializedModelBatch {
  rows: ClickHouseRow[]
  opIndex: number[]
  /** Operations (by index) whose row cannot be serialized, with the reason. */
  poison: { index: number; error: Error }[]
}

/** What a sync round needs of one model: how to serialize a batch and where to write it. */
export interface ModelRuntime {
  name: string
  /** Whether deletes/updates need the row as ClickHouse holds it (collapsing engines cancel it). */
  needsCurrentState: boolean
  /** The rows ClickHouse holds for these keys (read alias), keyed like operations. */
  readCurrentState(keys: readonly string[]): Promise<Map<string, ClickHouseRow>>
  /** Pure: the same inputs give the same rows, so a re-serialized batch is identical. */
  serialize(
    operations: readonly Operation[],
    rows: ReadonlyMap<string, SourceRow>,
    currentState: ReadonlyMap<string, ClickHouseRow>,
  ): SerializedModelBatch
  targets: readonly SyncTarget[]
}

/** Everything a round needs about one import key, resolved from the config at worker start. */
export interface SyncUnitRuntime {
  importKey: string
  batchSize: number
  syncDelayMs: number
  lockTtlMs: number
  storage: Storage
  /** One query: the source rows of these keys, keyed by encoded key; a missing key is a deleted row. */
  fetchRows(keys: readonly string[]): Promise<Map<string, SourceRow>>
  models: readonly ModelRuntime[]
}

/** Looks up import keys; throws `ConfigError` naming an unknown one. */
export interface SyncRuntime {
  unit(importKey: string): SyncUnitRuntime
  importKeys(): string[]
  close(): Promise<void>
}
