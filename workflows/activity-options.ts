import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow'
import type { createSyncActivities } from '../activities/sync.js'
import type { ActivityTimeouts } from '../src/config/temporal-settings.js'
import { NON_RETRYABLE } from './round-errors.js'

export type SyncActivities = ReturnType<typeof createSyncActivities>

/**
 * Activity retries: transient errors (network, a server down, a busy lock) retry with backoff inside
 * the step; after a few attempts the round fails visibly (status, Web UI) and the workflow retries the
 * round with its own backoff, resuming the same claimed batch — so nothing is ever given up.
 */
const retry = { initialInterval: '500ms', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 }

/** Bookkeeping steps touch only the storage: a few round trips, so a short timeout finds a dead worker fast. */
const BOOKKEEPING_TIMEOUT_MS = 30_000

/**
 * The data step moves a whole batch (10k rows by default, MBs of payload): minutes at most, and a
 * heartbeat every few seconds, so a killed worker is noticed in 30 s rather than at the timeout.
 */
const DATA_TIMEOUT = '10m'
const HEARTBEAT_TIMEOUT_MS = 30_000

/**
 * The options of each timeout class; `timeouts` (workflow input, from the starting client's
 * temporal.activityTimeouts) shortens them in tests.
 *
 * preSync and postSync run as local activities: a few storage round trips each, run in the worker
 * inside the workflow task, without the three server round trips of a scheduled activity (measured
 * ~40 ms each under load, most of a small round). A crash re-runs them after the workflow task times
 * out; they are idempotent. backlogMark (a flush handler's) stays scheduled: it runs beside a round.
 */
export function activityOptions(timeouts: ActivityTimeouts = {}) {
  const bookkeeping = {
    startToCloseTimeout: timeouts.bookkeepingMs ?? BOOKKEEPING_TIMEOUT_MS,
    retry: { ...retry, nonRetryableErrorTypes: [...NON_RETRYABLE] },
  }
  const data = {
    ...bookkeeping,
    startToCloseTimeout: DATA_TIMEOUT,
    heartbeatTimeout: timeouts.heartbeatMs ?? HEARTBEAT_TIMEOUT_MS,
  }
  return { bookkeeping, data }
}

/** The activity proxies of a run, with its timeouts. */
export function activityProxies(timeouts: ActivityTimeouts | undefined) {
  const options = activityOptions(timeouts)
  return {
    options,
    bookkeeping: proxyActivities<SyncActivities>(options.bookkeeping),
    local: proxyLocalActivities<SyncActivities>(options.bookkeeping),
    data: proxyActivities<SyncActivities>(options.data),
  }
}

export type LocalActivities = ReturnType<typeof activityProxies>['local']
