import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow'
import type { createSyncActivities } from '../activities/sync.js'
import type { ActivityTimeouts } from '../src/config/temporal-settings.js'
import type { Claim } from '../src/storages/storage.js'
import type { NonRetryableErrorType } from '../src/errors.js'
import { flushUpdate, pauseSignal, resumeSignal, statusQuery, stopSignal, type FlushOptions } from './messages.js'
import {
  backlogSearchAttribute,
  lastSyncTimeSearchAttribute,
  modelSearchAttribute,
  stateSearchAttribute,
} from './search-attributes.js'
import { SyncModelRun } from './sync-model-state.js'
import type { BatchSummary, ErrorSummary, SyncModelInput, SyncState } from './types.js'

type SyncActivities = ReturnType<typeof createSyncActivities>

/** Errors a retry cannot fix; kept in step with NON_RETRYABLE_ERROR_TYPES in src/errors.ts (a test checks). */
export const NON_RETRYABLE: readonly NonRetryableErrorType[] = ['ConfigError', 'SchemaMismatchError', 'PoisonRowError']

/**
 * Activity retries: transient errors (network, a server down, a busy lock) retry with backoff inside
 * the step; after a few attempts the round fails visibly (status, Web UI) and the workflow retries the
 * round with its own backoff, resuming the same claimed batch — so nothing is ever given up.
 */
const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 }

/** Bookkeeping steps touch only the storage: a few round trips, so a short timeout finds a dead worker fast. */
const BOOKKEEPING_TIMEOUT_MS = 30_000

/**
 * Data steps move a whole batch (10k rows by default, MBs of payload): minutes at most, and a
 * heartbeat every few seconds, so a killed worker is noticed in 30 s rather than at the timeout.
 */
const DATA_TIMEOUT = '10m'
const HEARTBEAT_TIMEOUT_MS = 30_000

/**
 * The options of each timeout class; `timeouts` (workflow input, from the starting client's
 * temporal.activityTimeouts) shortens them in tests.
 *
 * Since ONE_DATA_ACTIVITY, the bookkeeping steps run as local activities (`local`): a few Redis round
 * trips each, run in the worker inside the workflow task, without the three server round trips of a
 * scheduled activity (measured ~40 ms each under load, most of a small round). A crash re-runs them
 * after the workflow task times out; they are idempotent.
 */
function activityOptions(timeouts: ActivityTimeouts = {}) {
  const bookkeeping = {
    startToCloseTimeout: timeouts.bookkeepingMs ?? BOOKKEEPING_TIMEOUT_MS,
    retry: { ...retry, nonRetryableErrorTypes: [...NON_RETRYABLE] },
  }
  const local = { startToCloseTimeout: bookkeeping.startToCloseTimeout, retry: bookkeeping.retry }
  const data = {
    ...bookkeeping,
    startToCloseTimeout: DATA_TIMEOUT,
    heartbeatTimeout: timeouts.heartbeatMs ?? HEARTBEAT_TIMEOUT_MS,
  }
  return { bookkeeping, local, data }
}

/** The activity proxies of a run, with its timeouts. */
function activityProxies(timeouts: ActivityTimeouts | undefined) {
  const options = activityOptions(timeouts)
  return {
    options,
    bookkeeping: proxyActivities<SyncActivities>(options.bookkeeping),
    localBookkeeping: proxyLocalActivities<SyncActivities>(options.local),
    data: proxyActivities<SyncActivities>(options.data),
  }
}
type Bookkeeping = ReturnType<typeof activityProxies>['bookkeeping']

/**
 * Patch id: rounds run preSync and postSync as local activities and fetch + serialize + insert as
 * one activity (syncBatch). Runs started before it replay the five-activity round. Do not rename.
 */
export const ONE_DATA_ACTIVITY = 'one-data-activity-per-round'

/**
 * Patch id: ChsyncState follows pause, resume and stop as they happen, not only after a round (a
 * paused model showed `running` in the Web UI). Runs started before it publish after rounds only.
 * Do not rename.
 */
export const STATE_FOLLOWS_SIGNALS = 'state-search-attribute-follows-signals'

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
 * Runs started before ONE_DATA_ACTIVITY replay the older round: preSync, fetchRows, serializeRows,
 * insertBatch and postSync, each a scheduled activity (fetchRows staged the source rows).
 *
 * Paused and blocked workflows wait for `resume`. A configuration error blocks; a transient one
 * backs off and retries the round. The workflow continues as new when the SDK suggests it.
 * Do not rename — replay.
 */
export async function syncModelWorkflow(input: SyncModelInput): Promise<void> {
  const run = new SyncModelRun(input)
  const owner = workflowInfo().workflowId
  const { options: stepOptions, bookkeeping, localBookkeeping, data } = activityProxies(input.activityTimeouts)
  // Decided once per run, before any round: a run is either all old rounds or all new ones.
  const oneDataActivity = patched(ONE_DATA_ACTIVITY)
  const book = oneDataActivity ? localBookkeeping : bookkeeping
  const stateFollowsSignals = patched(STATE_FOLLOWS_SIGNALS)
  let published: SyncState | null = null
  /** Upserts the search attributes when a signal changed the state since they were last published. */
  const publishStateChange = () => {
    if (!stateFollowsSignals || run.syncState === published) return
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
      const mark = await bookkeeping.backlogMark(run.importKey)
      // Fresher than the state's backlog, which a round whose postSync result was lost leaves stale.
      run.onBacklog(mark.backlog)
      const flush = run.addFlush(mark.newestSeq)
      if (options.wait) await condition(() => flush.done || run.state.blocked !== null, options.timeoutMs ?? 60_000)
      return run.flushResult(flush)
    },
    { validator: (options: FlushOptions) => run.validateFlush(options) },
  )

  let batchSize = 1
  let syncDelayMs = 5_000
  const continueEvery = input.continueAsNewEveryRounds ?? 500

  while (!run.stopRequested) {
    publishStateChange()
    await condition(() => run.canRun || run.stopRequested)
    publishStateChange()
    if (run.stopRequested) break

    let claim: Claim | null = null
    try {
      const started = Date.now()
      // 1. preSync
      const pre = await book.preSync(run.importKey, owner)
      ;({ batchSize, syncDelayMs } = pre)
      run.onBacklog(pre.backlog)
      claim = pre.claim
      if (claim && oneDataActivity) {
        const batch = `batch ${claim.batchId} (${claim.size} operations)`
        // 2–4. syncBatch: fetch, serialize (freeze), insert
        const synced = await data.syncBatch.executeWithOptions({ ...stepOptions.data, summary: `sync ${batch}` }, [
          claim,
        ])
        // 5. postSync
        const post = await localBookkeeping.postSync.executeWithOptions(
          { ...stepOptions.local, summary: `commit ${batch}` },
          [claim],
        )
        commitRound(
          run,
          {
            batchId: claim.batchId,
            size: claim.size,
            rows: synced.rows,
            parked: synced.parked,
            durationMs: Date.now() - started,
            at: new Date().toISOString(),
          },
          post.backlog,
        )
        run.settleFlushes(post.oldestSeq)
      } else if (claim) {
        // The summaries name the batch in the Web UI's event list.
        const batch = `batch ${claim.batchId} (${claim.size} operations)`
        // 2. fetchRows
        await data.fetchRows.executeWithOptions({ ...stepOptions.data, summary: `fetch ${batch}` }, [claim])
        // 3. serializeRows
        const serialized = await data.serializeRows.executeWithOptions(
          { ...stepOptions.data, summary: `serialize ${batch}` },
          [claim],
        )
        // 4. insertBatch
        const inserted = await data.insertBatch.executeWithOptions(
          { ...stepOptions.data, summary: `insert ${batch}` },
          [claim],
        )
        // 5. postSync
        const post = await bookkeeping.postSync.executeWithOptions(
          { ...stepOptions.bookkeeping, summary: `commit ${batch}` },
          [claim],
        )
        commitRound(
          run,
          {
            batchId: claim.batchId,
            size: claim.size,
            rows: inserted.rows,
            parked: serialized.parked + inserted.parked,
            durationMs: Date.now() - started,
            at: new Date().toISOString(),
          },
          post.backlog,
        )
        run.settleFlushes(post.oldestSeq)
      } else {
        run.settleFlushes(null)
      }
    } catch (error) {
      const summary = summarize(error)
      const blocking = isConfigurationError(error)
      log.warn('sync round failed', {
        importKey: run.importKey,
        batchId: claim?.batchId,
        blocking,
        error: summary.message,
      })
      if (claim) await releaseFailedBatch(book, claim, summary.message)
      run.onFailed(summary, blocking)
    }
    publishSearchAttributes(run)
    published = run.syncState

    if (workflowInfo().continueAsNewSuggested || run.roundsThisRun >= continueEvery) {
      await condition(allHandlersFinished)
      await continueAsNew<typeof syncModelWorkflow>({ ...input, state: run.state })
    }

    // 6. wait: back off after a failure; none while a full batch waits; else syncDelay or a flush
    if (run.state.consecutiveFailures > 0 && !run.state.blocked) {
      await condition(() => run.stopRequested, run.backoffMs())
    } else if (run.state.backlog < batchSize) {
      await condition(() => run.flushRequested || run.stopRequested || !run.canRun, syncDelayMs)
    }
  }
  publishStateChange()
  await condition(allHandlersFinished)
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
async function releaseFailedBatch(book: Bookkeeping, claim: Claim, message: string): Promise<void> {
  try {
    await book.postSyncFailed(claim, message)
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

function rootCause(error: unknown): unknown {
  return error instanceof ActivityFailure && error.cause ? error.cause : error
}

/** A failure no retry can fix: the activity marked it non-retryable with one of our error types. */
function isConfigurationError(error: unknown): boolean {
  const cause = rootCause(error)
  return cause instanceof ApplicationFailure && (NON_RETRYABLE as readonly string[]).includes(cause.type ?? '')
}

function summarize(error: unknown): ErrorSummary {
  const cause = rootCause(error)
  const type =
    cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : cause instanceof Error ? cause.name : 'Error'
  const message = cause instanceof Error ? cause.message : String(cause)
  return { message, type, at: new Date().toISOString() }
}
