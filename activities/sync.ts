import { ApplicationFailure, Context } from '@temporalio/activity'
import { isNonRetryable, messageOf } from '../src/errors.js'
import type { Claim } from '../src/storages/storage.js'
import * as steps from '../src/sync/steps.js'
import type { InsertProgress } from '../src/sync/steps.js'
import type { SyncRuntime } from '../src/sync/runtime.js'

/**
 * The activities of a sync round: unpack, call src/sync/steps.ts, turn configuration errors into
 * non-retryable failures (everything else retries). Names are the step names — do not rename — replay.
 */
export function createSyncActivities(deps: { runtime: SyncRuntime }) {
  const { runtime } = deps
  return {
    /** Re-runnable: the storage hands back the same claimed batch to the same owner. */
    preSync: (importKey: string, owner: string) => boundary(() => steps.preSync(runtime, importKey, owner)),

    /** Re-runnable: re-reads and re-stages the rows, or does nothing once the payload is frozen. */
    fetchRows: (claim: Claim) => boundary(() => steps.fetchRows(runtime, claim)),

    /** Re-runnable: the first run freezes the payload; a re-run reuses it byte for byte. */
    serializeRows: (claim: Claim) => boundary(() => steps.serializeRows(runtime, claim)),

    /**
     * Re-runnable: chunks carry deduplication tokens, and chunks heartbeated as done by an earlier
     * attempt are skipped.
     */
    insertBatch: (claim: Claim) =>
      boundary(() => {
        const context = Context.current()
        const resumeFrom = context.info.heartbeatDetails as InsertProgress | undefined
        return steps.insertBatch(runtime, claim, resumeFrom, (details) => context.heartbeat(details))
      }),

    /** Re-runnable: the storage's postSync is idempotent and fenced by the lock token. */
    postSync: (claim: Claim) => boundary(() => steps.postSync(runtime, claim)),

    /** Re-runnable: releasing a released lock does nothing. */
    postSyncFailed: (claim: Claim, error: string) => boundary(() => steps.postSyncFailed(runtime, claim, error)),

    /** Read-only. */
    backlogMark: (importKey: string) => boundary(() => steps.backlogMark(runtime, importKey)),
  }
}

/** The activity boundary: configuration errors become non-retryable failures with their type kept. */
async function boundary<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (isNonRetryable(error)) {
      throw ApplicationFailure.create({
        type: (error as Error).name,
        message: messageOf(error),
        nonRetryable: true,
        cause: error as Error,
      })
    }
    throw error
  }
}
