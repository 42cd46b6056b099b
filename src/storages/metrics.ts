/** What a storage knows about a model's backlog at one moment. */
export interface BacklogSnapshot {
  /** Operations waiting, claimed ones included. */
  size: number
  /** Age of the oldest waiting operation in milliseconds, or null when nothing waits. */
  oldestAgeMs: number | null
}

/**
 * Callbacks a storage calls as operations come and go; the worker wires them to Prometheus. Every
 * callback is optional and must not throw (they run on the hot path, after the storage acted).
 */
export interface StorageMetrics {
  registered?(importKey: string, count: number): void
  removed?(importKey: string, count: number): void
  backlog?(importKey: string, snapshot: BacklogSnapshot): void
}
