/** Where the Temporal server is and which namespace and task queue chsync uses. */
export interface TemporalSettings {
  /** `host:port` of the frontend. @default 127.0.0.1:7233 (CHSYNC_TEMPORAL_ADDRESS overrides) */
  address: string
  /** @default 'default' */
  namespace: string
  /** The task queue workers poll and workflows are started on. @default 'chsync' */
  taskQueue: string
  /** Activity timeouts of the sync workflows this client starts. @default see ActivityTimeouts */
  activityTimeouts?: ActivityTimeouts
}

/**
 * How long Temporal waits for an activity before retrying it on another worker: the time a crashed
 * worker holds up its models. Shorter finds a dead worker sooner; too short retries a step that is
 * only slow (a starved machine) while it still runs. Tests shorten both to keep crash scenarios fast.
 */
export interface ActivityTimeouts {
  /** The data step (syncBatch: fetch, serialize, insert): longest silence between heartbeats. @default 30000 */
  heartbeatMs?: number
  /** Bookkeeping steps (preSync, postSync, postSyncFailed, backlogMark): start-to-close. @default 30000 */
  bookkeepingMs?: number
}
