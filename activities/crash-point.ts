/**
 * Fault injection for the reliability tests: with CHSYNC_CRASH_AFTER=<step name>, the worker
 * SIGKILLs itself right after that step did its work and before Temporal hears of it — the moment a
 * real crash hurts most (the work is done, the result is lost, the step will run again). Steps are
 * activity names, and fetchRows / serializeRows / insertBatch also name the points inside syncBatch.
 * Unset, this is one environment lookup per activity.
 */
export function crashPoint(activity: string): void {
  if (process.env.CHSYNC_CRASH_AFTER === activity) process.kill(process.pid, 'SIGKILL')
}
