/**
 * Test-only fault injection for the reliability suite: with CHSYNC_CRASH_AT=<point>, the worker
 * SIGKILLs itself when it reaches that point — no cleanup, no reply to Temporal, the crash a
 * kill -9 or a lost machine causes. Unset (production), a point is one environment lookup.
 *
 * `<step>:done` points fire once a step did its work and before Temporal hears of it (the step runs
 * again on another worker): activity names, and fetchRows / serializeRows / insertBatch also name
 * where each part of syncBatch ends. The others sit inside a step, at the line where a crash hurts
 * most; src/sync/steps.ts calls them.
 */
export const CRASH_POINTS = [
  'preSync:done',
  'fetchRows:done',
  'serializeRows:done',
  'insertBatch:done',
  'postSync:done',
  'postSyncFailed:done',
  'backlogMark:done',
  /** The claim script ran (lock taken, batch claimed), the claim not yet returned. */
  'preSync:claimed',
  /** A payload chunk staged, the manifest (which freezes the payload) not yet written. */
  'serializeRows:chunkStaged',
  /** A chunk landed in ClickHouse and its progress was recorded; the next chunk is not yet sent. */
  'insertBatch:chunkInserted',
  /** The last chunk landed in ClickHouse, its progress not yet heartbeated. */
  'insertBatch:lastChunkInserted',
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
