/**
 * Fault injection for the reliability tests: with CHSYNC_CRASH_AFTER=<activity name>, the worker
 * SIGKILLs itself right after that activity did its work and before Temporal hears of it — the
 * moment a real crash hurts most (the work is done, the result is lost, the step will run again).
 * Unset, this is one environment lookup per activity.
 */
export function crashPoint(activity: string): void {
  if (process.env.CHSYNC_CRASH_AFTER === activity) process.kill(process.pid, 'SIGKILL')
}
