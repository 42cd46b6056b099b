/**
 * The lines of a round where the reliability suite injects a fault (kills or freezes the worker). The
 * steps and activities call a `FaultHook` there; production passes none (a no-op), the test-only
 * worker entry (test/utils/fault-worker.mjs) passes one that acts on its point.
 *
 * `<activity>:done` points fire once an activity did its work and before Temporal hears of it (it
 * runs again on another worker); `syncBatch:fetched` and `syncBatch:frozen` mark where the fetch and
 * the serialize parts of syncBatch end. The others sit inside a step, at the line where a crash
 * hurts most.
 */
export const CRASH_POINTS = [
  'preSync:done',
  /** syncBatch read the rows (kept in memory), the payload not yet frozen: nothing staged. */
  'syncBatch:fetched',
  /** syncBatch froze the payload (chunks + manifest staged), nothing inserted yet. */
  'syncBatch:frozen',
  'syncBatch:done',
  'postSync:done',
  'postSyncFailed:done',
  'backlogMark:done',
  /** The claim script ran (lock taken, batch claimed), the claim not yet returned. */
  'preSync:claimed',
  /** A payload chunk staged, the manifest (which freezes the payload) not yet written. */
  'syncBatch:chunkStaged',
  /** A chunk landed in ClickHouse and its progress was recorded; the next chunk is not yet sent. */
  'syncBatch:chunkInserted',
  /** The last chunk landed in ClickHouse, its progress not yet heartbeated. */
  'syncBatch:lastChunkInserted',
  /** Rows inserted and dead letters read, the storage's commit (remove operations, release lock) not yet called. */
  'postSync:beforeCommit',
  /** A backfill range landed in one write alias, the copy not yet reported done. */
  'copyRange:inserted',
] as const

export type CrashPoint = (typeof CRASH_POINTS)[number]

/** Called at each point; it may kill or freeze the process there. */
export type FaultHook = (point: CrashPoint) => void

export const noFaults: FaultHook = () => undefined
