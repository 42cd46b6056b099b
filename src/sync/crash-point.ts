/**
 * Test-only fault injection for the reliability suite: with CHSYNC_CRASH_AT=<point>, the worker
 * SIGKILLs itself when it reaches that point — no cleanup, no reply to Temporal, the crash a
 * kill -9 or a lost machine causes. Unset (production), a point is one environment lookup.
 *
 * `<activity>:done` points fire once an activity did its work and before Temporal hears of it (it
 * runs again on another worker); `syncBatch:fetched` and `syncBatch:frozen` mark where the fetch and
 * the serialize parts of syncBatch end. The others sit inside a step, at the line where a crash
 * hurts most; src/sync/steps.ts calls them.
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
] as const

export type CrashPoint = (typeof CRASH_POINTS)[number]

/**
 * SIGKILLs this process when CHSYNC_CRASH_AT names `point`; a no-op otherwise. Test-only. With
 * CHSYNC_CRASH_SIGNAL=SIGSTOP the process freezes there instead (a paused VM, a blocked event loop)
 * until the test sends SIGCONT — once: a woken worker runs on.
 */
export function crashPoint(point: CrashPoint): void {
  if (process.env.CHSYNC_CRASH_AT !== point) return
  if (process.env.CHSYNC_CRASH_SIGNAL === 'SIGSTOP') {
    delete process.env.CHSYNC_CRASH_AT
    process.kill(process.pid, 'SIGSTOP')
  } else {
    process.kill(process.pid, 'SIGKILL')
  }
}
