import type { SyncMetrics } from '../../src/metrics/metrics.js'

export interface StepTimes {
  /** Per step: how many ran and their total and mean time (ms), from the worker's step histogram. */
  steps: Record<string, { count: number; totalMs: number; meanMs: number }>
  totalMs: number
  rounds: number
}

/** What the worker's `chsync_step_duration_seconds` histogram recorded. */
export async function stepTimes(metrics: SyncMetrics): Promise<StepTimes> {
  const { values } = await metrics.stepDuration.get()
  const steps: StepTimes['steps'] = {}
  for (const value of values) {
    const step = String(value.labels.step)
    const entry = (steps[step] ??= { count: 0, totalMs: 0, meanMs: 0 })
    const name = value.metricName ?? ''
    if (name.endsWith('_sum')) entry.totalMs += value.value * 1000
    else if (name.endsWith('_count')) entry.count += value.value
  }
  for (const entry of Object.values(steps)) {
    entry.meanMs = entry.count ? entry.totalMs / entry.count : 0
    entry.totalMs = Math.round(entry.totalMs)
    entry.meanMs = Math.round(entry.meanMs * 10) / 10
  }
  const totalMs = Object.values(steps).reduce((sum, entry) => sum + entry.totalMs, 0)
  return { steps, totalMs, rounds: steps.postSync?.count ?? 0 }
}
