import { Context } from '@temporalio/activity'
import { SyncMetrics } from '../src/metrics/metrics.js'
import type { Claim } from '../src/storages/storage.js'
import * as steps from '../src/sync/steps.js'
import type { InsertProgress } from '../src/sync/steps.js'
import type { SyncBatchResult } from '../src/sync/types.js'
import type { SyncRuntime } from '../src/sync/runtime.js'
import { noFaults, type FaultHook } from '../src/sync/fault-points.js'
import { holdingLock } from '../src/sync/hold-lock.js'
import { boundary } from './boundary.js'
import { withHeartbeat } from './heartbeat.js'

/** The bookkeeping activities, by name: a `<name>:done` crash point follows each. */
type StepName = 'preSync' | 'postSync' | 'postSyncFailed' | 'backlogMark'

export interface SyncActivityDeps {
  runtime: SyncRuntime
  /** @default a private registry (metrics are then only collected, not served) */
  metrics?: SyncMetrics
  /** Test-only fault injection at the points of src/sync/fault-points.ts. @default none */
  faults?: FaultHook
}

/**
 * The activities of a sync round: unpack, call src/sync/steps.ts, time the step, and turn
 * configuration errors into non-retryable failures (everything else retries). Names are the step
 * names — do not rename — replay.
 */
export function createSyncActivities(deps: SyncActivityDeps) {
  const { runtime } = deps
  const metrics = deps.metrics ?? new SyncMetrics({ processMetrics: false })
  const faults = deps.faults ?? noFaults
  const step = <T>(importKey: string, name: StepName, work: () => Promise<T>) =>
    boundary(async () => {
      const result = await metrics.timeStep(importKey, name, work)
      faults(`${name}:done`)
      return result
    })

  return {
    /** Re-runnable: the storage hands back the same claimed batch to the same owner. */
    preSync: (importKey: string, owner: string) =>
      step(importKey, 'preSync', () => steps.preSync(runtime, importKey, owner, faults)),

    /**
     * Fetch, serialize and insert as ONE activity: one Temporal round trip, and the source rows never
     * staged. Re-runnable: the payload is frozen before the first insert and re-sent byte for byte with
     * the same tokens, chunks recorded as done are skipped, and on a server without tokens an older
     * attempt still running stops (src/sync/steps.ts). Crash points mark where each part's work ends.
     * The lock is extended while it works, so a step longer than the lock's lifetime keeps it.
     */
    syncBatch: (claim: Claim) =>
      boundary(() =>
        withHeartbeat((report) =>
          holdingLock(runtime, claim, async (): Promise<SyncBatchResult> => {
            const info = Context.current().info
            const resumeFrom = info.heartbeatDetails as InsertProgress | undefined
            // Only a resumed batch or a retried attempt can find a payload frozen before (its own
            // is handed to the insert in memory).
            const resuming = claim.resumed || info.attempt > 1 || resumeFrom !== undefined
            const serialized = await metrics.timeStep(claim.importKey, 'fetchAndSerialize', () =>
              steps.fetchAndSerialize(runtime, claim, faults, resuming),
            )
            faults('syncBatch:frozen')
            const inserted = await metrics.timeStep(claim.importKey, 'insertBatch', () =>
              steps.insertBatch(runtime, claim, resumeFrom, report, info.attempt, faults, serialized.payload),
            )
            metrics.rowsInserted.inc({ import_key: claim.importKey }, inserted.rows)
            faults('syncBatch:done')
            return {
              fetched: serialized.fetched,
              rows: inserted.rows,
              inserts: inserted.inserts,
              parked: serialized.parked + inserted.parked,
              reused: serialized.reused,
            }
          }),
        ),
      ),

    /** Re-runnable: the storage's postSync is idempotent and fenced by the lock token. */
    postSync: (claim: Claim) =>
      step(claim.importKey, 'postSync', async () => {
        const result = await steps.postSync(runtime, claim, faults)
        metrics.parked.inc({ import_key: claim.importKey }, result.parked)
        return result
      }),

    /** Re-runnable: releasing a released lock does nothing. */
    postSyncFailed: (claim: Claim, error: string) =>
      step(claim.importKey, 'postSyncFailed', () => steps.postSyncFailed(runtime, claim, error)),

    /** Read-only. */
    backlogMark: (importKey: string) => step(importKey, 'backlogMark', () => steps.backlogMark(runtime, importKey)),
  }
}
