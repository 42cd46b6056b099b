import { Context } from '@temporalio/activity'

/** Well inside the workflow's 30 s heartbeat timeout, so a slow step is never mistaken for a dead one. */
const HEARTBEAT_EVERY_MS = 5_000

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
  const timer = setInterval(() => context.heartbeat(details), HEARTBEAT_EVERY_MS)
  try {
    return await work(report)
  } finally {
    clearInterval(timer)
  }
}
