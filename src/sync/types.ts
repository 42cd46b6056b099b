import type { Claim } from '../storages/storage.js'

/**
 * What sync activities return: small summaries, never rows (invariant 4). Field names are recorded
 * in workflow histories — do not rename — replay.
 */

export interface PreSyncResult {
  /** The batch to sync this round, or null when the storage holds nothing for the model. */
  claim: Claim | null
  /** Operations waiting (the claimed ones included). */
  backlog: number
  /** The unit's settings as configured now, so a config change applies from the next round. */
  batchSize: number
  syncDelayMs: number
}

export interface FetchResult {
  /** Source rows read from PostgreSQL. */
  fetched: number
  /** Keys with an insert/update operation whose row is gone: synced as deletes. */
  missing: number
}

export interface SerializeResult {
  /** ClickHouse rows in the frozen payload, all models of the unit. */
  rows: number
  /** Chunks the payload was cut into (each one insert with its own deduplication token). */
  chunks: number
  /** Operations whose row cannot be serialized: parked as dead letters at postSync. */
  parked: number
  /** True when the payload was already staged by an earlier attempt and was reused byte for byte. */
  reused: boolean
}

export interface InsertResult {
  /** Rows sent, summed over write aliases. */
  rows: number
  /** Chunk inserts sent (chunks × write aliases), including ones deduplicated by the server. */
  inserts: number
  /** Operations parked because ClickHouse rejected their rows (found by bisecting a failed chunk). */
  parked: number
}

/** What the one data activity of a round (fetch, serialize, insert) reports. */
export interface SyncBatchResult {
  /** Source rows read from PostgreSQL (0 when the payload was already frozen by an earlier attempt). */
  fetched: number
  /** Rows sent, summed over write aliases. */
  rows: number
  /** Chunk inserts sent (chunks × write aliases), including ones deduplicated by the server. */
  inserts: number
  /** Operations parked: rows that could not be serialized, and rows ClickHouse rejected. */
  parked: number
  /** True when the payload was frozen by an earlier attempt and re-sent byte for byte. */
  reused: boolean
}

export interface PostSyncResult {
  /** Operations removed from the storage. */
  removed: number
  /** Operations parked as dead letters (rows that could not be serialized or were rejected). */
  parked: number
  /** Operations still waiting. */
  backlog: number
  /** Lowest sequence still stored, or null when none: flushes compare against it. */
  oldestSeq: number | null
}

export interface BacklogMark {
  backlog: number
  /** Highest sequence stored now, or null when nothing is stored. */
  newestSeq: number | null
}
