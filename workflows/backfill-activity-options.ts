import { proxyActivities } from '@temporalio/workflow'
import type { createBackfillActivities } from '../activities/backfill.js'
import type { ActivityTimeouts } from '../src/config/temporal-settings.js'
import { NON_RETRYABLE } from './round-errors.js'

export type BackfillActivities = ReturnType<typeof createBackfillActivities>

/**
 * A backfill's steps retry transient errors (a server down, the model's lock busy) forever with
 * backoff, visibly (the pending activity shows its attempt and last failure in the Web UI): there is
 * no round to fall back to, and a range given up would be a hole. Configuration errors do not retry.
 */
const retry = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  nonRetryableErrorTypes: [...NON_RETRYABLE],
}

/**
 * Planning walks the key index once (a minute per ~100M rows) and a range copy streams `rangeRows`
 * rows (seconds): generous start-to-close bounds, and a heartbeat every few seconds, so a killed
 * worker is noticed in 30 s rather than at the timeout.
 */
const DATA_TIMEOUT = '1h'
const HEARTBEAT_TIMEOUT_MS = 30_000

/** The activity options of a backfill (`summary` is added per call), and its proxies. */
export function backfillProxies(timeouts: ActivityTimeouts = {}) {
  const options = {
    startToCloseTimeout: DATA_TIMEOUT,
    heartbeatTimeout: timeouts.heartbeatMs ?? HEARTBEAT_TIMEOUT_MS,
    retry,
  }
  return { options, activities: proxyActivities<BackfillActivities>(options) }
}
