import { Context } from '@temporalio/activity'

/** Well inside the workflow's 30 s heartbeat timeout, so a slow step is never mistaken for a dead one. */
const HEARTBEAT_EVERY_MS = 5_000

/** Every 5 s, or a third of a shorter heartbeat timeout (temporal.activityTimeouts.heartbeatMs). */
function heartbeatEveryMs(context: Context): number {
  const timeout = context.info.heartbeatTimeoutMs
  return timeout ? Math.min(HEARTBEAT_EVERY_MS, Math.max(100, Math.floor(timeout / 3))) : HEARTBEAT_EVERY_MS
}

/**
 * Runs a data step while heartbeating every few seconds, re-sending the latest progress `report`ed
 * (a heartbeat without details would erase what a retry resumes from). The SDK throttles the calls.
 */
export async function withHeartbeat<T>(work: (report: (details: unknown) => void) => Promise<T>): Promise<T> {
  const context = Context.current()
  let details: unknown
  const report = (next: unknown) => {
    details = next
    context.heartbeat(details)
  }
  const timer = setInterval(() => context.heartbeat(details), heartbeatEveryMs(context))
  try {
    return await work(report)
  } finally {
    clearInterval(timer)
  }
}
