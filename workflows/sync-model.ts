import {
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow'
import type { Claim } from '../src/storages/storage.js'
import { activityProxies, type LocalActivities } from './activity-options.js'
import { flushUpdate, pauseSignal, resumeSignal, statusQuery, stopSignal, type FlushOptions } from './messages.js'
import { isConfigurationError, summarize } from './round-errors.js'
import {
  backlogSearchAttribute,
  lastSyncTimeSearchAttribute,
  modelSearchAttribute,
  stateSearchAttribute,
} from './search-attributes.js'
import { SyncModelRun } from './sync-model-state.js'
import type { BatchSummary, SyncModelInput, SyncState } from './types.js'

/**
 * Syncs one model (or multi-model) from the storage into ClickHouse, forever, one batch per round:
 *
 *   1. preSync    take the model's lock; claim up to batchSize operations as a batch, or resume the
 *                 batch a crashed round left claimed (a local activity)
 *   2–4. syncBatch, one activity:
 *      fetch      read the rows of the claimed keys from PostgreSQL (kept in the activity, never returned)
 *      serialize  turn them into ClickHouse rows and freeze the payload (staged chunks + manifest)
 *      insert     send the payload in chunks, each with its deduplication token, to every write alias
 *   5. postSync   remove exactly the batch's operations, park dead letters, release the lock
 *      (postSyncFailed on failure: release the lock, keep every operation) (a local activity)
 *   6. wait       no wait while a full batch is waiting; else `syncDelay` on a timer, cut short by flush
 *
 * Paused and blocked workflows wait for `resume`. A configuration error blocks; a transient one
 * backs off and retries the round. The workflow continues as new when the SDK suggests it or every
 * `continueAsNewEveryRounds` rounds, once no flush waits, carrying its state and pending requests.
 * Do not rename — replay.
 */
export async function syncModelWorkflow(input: SyncModelInput): Promise<void> {
  const run = new SyncModelRun(input)
  const proxies = activityProxies(input.activityTimeouts)
  const owner = workflowInfo().workflowId
  // ChsyncState follows pause, resume and stop as they happen, not only after a round (a paused
  // model showed `running` in the Web UI).
  let published: SyncState | null = null
  const publishStateChange = () => {
    if (run.syncState === published) return
    publishSearchAttributes(run)
    published = run.syncState
  }

  setHandler(pauseSignal, () => run.pause())
  setHandler(resumeSignal, () => run.resume())
  setHandler(stopSignal, () => run.stop())
  setHandler(statusQuery, () => run.status())
  setHandler(
    flushUpdate,
    async (options) => {
      run.assertFlushCanProgress()
      const mark = await proxies.bookkeeping.backlogMark(run.importKey)
      // Fresher than the state's backlog, which a round whose postSync result was lost leaves stale.
      run.onBacklog(mark.backlog)
      const flush = run.addFlush(mark.newestSeq, options.wait ?? false)
      if (options.wait) {
        const answered = () => flush.done || run.state.blocked !== null || run.stopRequested
        await condition(answered, options.timeoutMs ?? 60_000)
      }
      return run.flushResult(flush)
    },
    { validator: (options: FlushOptions) => run.validateFlush(options) },
  )

  let pace = { batchSize: 1, syncDelayMs: 5_000 }
  const continueEvery = input.continueAsNewEveryRounds ?? 500

  while (!run.stopRequested) {
    publishStateChange()
    await condition(() => run.canRun || run.stopRequested)
    publishStateChange()
    if (run.stopRequested) break

    pace = (await syncRound(run, proxies, owner)) ?? pace
    publishSearchAttributes(run)
    published = run.syncState

    if (workflowInfo().continueAsNewSuggested || run.roundsThisRun >= continueEvery) {
      // A waiting flush needs rounds of this run: answer it first, continue as new after a later round.
      await condition(() => allHandlersFinished() || run.flushWaiting)
      if (!run.flushWaiting) {
        await continueAsNew<typeof syncModelWorkflow>({ ...input, state: run.state, pending: run.pending })
      }
    }

    // 6. wait: back off after a failure; none while a full batch waits; else syncDelay or a flush
    if (run.state.consecutiveFailures > 0 && !run.state.blocked) {
      await condition(() => run.stopRequested, run.backoffMs())
    } else if (run.state.backlog < pace.batchSize) {
      await condition(() => run.flushRequested || run.stopRequested || !run.canRun, pace.syncDelayMs)
    }
  }
  publishStateChange()
  await condition(allHandlersFinished)
}

/**
 * Steps 1–5 of one round. Returns the storage's pace (batch size, delay) from preSync, or null when
 * the round failed before it; a failure is recorded in the run, never thrown.
 */
async function syncRound(
  run: SyncModelRun,
  { options, local, data }: ReturnType<typeof activityProxies>,
  owner: string,
): Promise<{ batchSize: number; syncDelayMs: number } | null> {
  let claim: Claim | null = null
  let pace = null
  try {
    const started = Date.now()
    const pre = await local.preSync(run.importKey, owner)
    pace = { batchSize: pre.batchSize, syncDelayMs: pre.syncDelayMs }
    run.onBacklog(pre.backlog)
    claim = pre.claim
    if (!claim) {
      run.settleFlushes(null)
      return pace
    }
    // The summaries name the batch in the Web UI's event list.
    const batch = `batch ${claim.batchId} (${claim.size} operations)`
    const synced = await data.syncBatch.executeWithOptions({ ...options.data, summary: `sync ${batch}` }, [claim])
    const post = await local.postSync.executeWithOptions({ ...options.bookkeeping, summary: `commit ${batch}` }, [
      claim,
    ])
    const { batchId, size } = claim
    const { rows, parked } = synced
    const durationMs = Date.now() - started
    commitRound(run, { batchId, size, rows, parked, durationMs, at: new Date().toISOString() }, post.backlog)
    run.settleFlushes(post.oldestSeq)
  } catch (error) {
    const summary = summarize(error)
    const blocking = isConfigurationError(error)
    log.warn('sync round failed', {
      importKey: run.importKey,
      batchId: claim?.batchId,
      blocking,
      error: summary.message,
    })
    if (claim) await releaseFailedBatch(local, claim, summary.message)
    run.onFailed(summary, blocking)
  }
  return pace
}

/**
 * Records a committed round and logs it: the one line per round an operator watches at the default
 * level (the SDK does not repeat workflow logs while it replays a history, so it stays one per round).
 */
function commitRound(run: SyncModelRun, batch: BatchSummary, backlog: number): void {
  run.onCommitted(batch, backlog)
  log.info('round synced', {
    importKey: run.importKey,
    batchId: batch.batchId,
    operations: batch.size,
    rows: batch.rows,
    parked: batch.parked,
    durationMs: batch.durationMs,
    backlog,
  })
}

/**
 * Releases the lock of a failed round, keeping every operation. If the storage cannot be reached
 * either, the lock expires on its own and the next round resumes the batch: nothing to do here.
 */
async function releaseFailedBatch(local: LocalActivities, claim: Claim, message: string): Promise<void> {
  try {
    await local.postSyncFailed(claim, message)
  } catch (error) {
    log.warn('could not release the lock of a failed batch; it will expire', {
      importKey: claim.importKey,
      batchId: claim.batchId,
      error: summarize(error).message,
    })
  }
}

function publishSearchAttributes(run: SyncModelRun): void {
  upsertSearchAttributes([
    { key: modelSearchAttribute, value: run.importKey },
    { key: stateSearchAttribute, value: run.syncState },
    { key: backlogSearchAttribute, value: run.state.backlog },
    ...(run.state.lastSyncTime ? [{ key: lastSyncTimeSearchAttribute, value: new Date(run.state.lastSyncTime) }] : []),
  ])
}
