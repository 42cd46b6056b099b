import { Context } from '@temporalio/activity'
import { copyRange, type CopyRangeInput, type CopyRangeResult } from '../src/backfill/copy-range.js'
import { planRanges, type BackfillPlan, type PlanProgress } from '../src/backfill/plan-ranges.js'
import { checkBackfillable } from '../src/backfill/check-unit.js'
import { noFaults, type FaultHook } from '../src/sync/fault-points.js'
import type { SyncRuntime } from '../src/sync/runtime.js'
import { boundary } from './boundary.js'
import { withHeartbeat } from './heartbeat.js'

export interface BackfillActivityDeps {
  runtime: SyncRuntime
  /** Test-only fault injection at the points of src/sync/fault-points.ts. @default none */
  faults?: FaultHook
}

/** The activities of a backfill (workflows/backfill.ts). Names are step names — do not rename — replay. */
export function createBackfillActivities(deps: BackfillActivityDeps) {
  const { runtime } = deps
  const faults = deps.faults ?? noFaults
  return {
    /**
     * Re-runnable: reads only. Checks every model of the unit can take backfilled rows (version rule, SQL rendering)
     * before anything is copied, and resumes the index walk from its heartbeated bounds.
     */
    planBackfill: (importKey: string, rangeRows: number): Promise<BackfillPlan> =>
      boundary(() =>
        withHeartbeat(async (report) => {
          const unit = runtime.unit(importKey)
          await checkBackfillable(runtime.sourcePool, unit.definition)
          const resume = Context.current().info.heartbeatDetails as PlanProgress | undefined
          return planRanges(runtime.sourcePool, unit.definition.source, rangeRows, resume, report)
        }),
      ),

    /**
     * Re-runnable: a re-sent range carries the same token per model and alias (src/backfill/copy-range.ts).
     * Heartbeats the rows sent so far; a cancelled backfill's copy stops at its next heartbeat.
     */
    copyRange: (input: CopyRangeInput): Promise<CopyRangeResult> =>
      boundary(() =>
        withHeartbeat((report) =>
          copyRange(runtime, input, (rows) => report({ rows }), {
            faults,
            signal: Context.current().cancellationSignal,
          }),
        ),
      ),
  }
}
