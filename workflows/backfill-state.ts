import type { BackfillRange } from '../src/backfill/range.js'
import type { BackfillInput, BackfillProgress, BackfillState, BackfillStatus } from './backfill-types.js'
import type { ErrorSummary } from './types.js'

export const DEFAULT_PARALLEL = 4
export const DEFAULT_RANGE_ROWS = 100_000

/**
 * The state of one backfill run and the logic of its handlers. Everything persisted is in `progress`
 * (plain JSON, carried across continue-as-new); the ranges in flight live for one run.
 */
export class BackfillRun {
  readonly importKey: string
  readonly parallel: number
  readonly rangeRows: number
  readonly progress: BackfillProgress
  /** Indices of the ranges whose copy runs now. */
  readonly inFlight = new Set<number>()

  constructor(input: BackfillInput, progress: BackfillProgress) {
    this.importKey = input.importKey
    this.parallel = Math.max(1, Math.floor(input.parallel ?? DEFAULT_PARALLEL))
    this.rangeRows = Math.max(1, Math.floor(input.rangeRows ?? DEFAULT_RANGE_ROWS))
    this.progress = progress
  }

  get state(): BackfillState {
    const { progress } = this
    if (progress.cancelled) return 'cancelled'
    if (progress.plan && progress.done.length === progress.plan.ranges.length) return 'done'
    if (progress.blocked) return 'blocked'
    if (progress.paused) return 'paused'
    return progress.plan ? 'copying' : 'planning'
  }

  /** New copies may start: not paused, blocked or cancelled. */
  get canStart(): boolean {
    return !this.progress.paused && !this.progress.blocked && !this.progress.cancelled
  }

  /** Ranges neither copied nor in flight, in plan order. */
  pending(): BackfillRange[] {
    const done = new Set(this.progress.done)
    return (this.progress.plan?.ranges ?? []).filter(
      (range) => !done.has(range.index) && !this.inFlight.has(range.index),
    )
  }

  /** The next ranges to start, keeping at most `parallel` in flight. */
  nextToStart(): BackfillRange[] {
    if (!this.canStart) return []
    return this.pending().slice(0, Math.max(0, this.parallel - this.inFlight.size))
  }

  onCopied(index: number, rows: number, durationMs: number, at: string): void {
    this.inFlight.delete(index)
    if (this.progress.done.includes(index)) return
    this.progress.done.push(index)
    this.progress.rows += rows
    this.progress.copyMs += durationMs
    if (this.state === 'done') this.progress.finishedAt = at
  }

  onFailed(index: number, error: ErrorSummary, blocking: boolean): void {
    this.inFlight.delete(index)
    this.progress.lastError = error
    if (blocking) this.progress.blocked = error
  }

  pause(): void {
    this.progress.paused = true
  }

  resume(): void {
    this.progress.paused = false
    this.progress.blocked = null
  }

  cancel(): void {
    this.progress.cancelled = true
  }

  status(nowMs: number): BackfillStatus {
    const { progress } = this
    const ranges = progress.plan?.ranges.length ?? 0
    const end = progress.finishedAt ? Date.parse(progress.finishedAt) : nowMs
    const elapsedS = Math.max(0.001, (end - Date.parse(progress.startedAt)) / 1000)
    const rowsPerSecond = progress.rows / elapsedS
    const left = ranges - progress.done.length
    // Remaining ranges at the pace finished ones went, `parallel` at a time.
    const perRangeS = progress.done.length ? progress.copyMs / 1000 / progress.done.length : null
    const etaSeconds =
      perRangeS === null ? null : Math.round((perRangeS * left) / Math.min(this.parallel, Math.max(1, left)))
    return {
      importKey: this.importKey,
      state: this.state,
      method: progress.plan?.method ?? null,
      ranges,
      rangesDone: progress.done.length,
      rangesInFlight: this.inFlight.size,
      rows: progress.rows,
      rowsPerSecond: Math.round(rowsPerSecond),
      rowsPerSecondPerRange: progress.copyMs > 0 ? Math.round(progress.rows / (progress.copyMs / 1000)) : 0,
      etaSeconds: left === 0 ? 0 : etaSeconds,
      parallel: this.parallel,
      rangeRows: this.rangeRows,
      startedAt: progress.startedAt,
      finishedAt: progress.finishedAt,
      blocked: progress.blocked,
      lastError: progress.lastError,
    }
  }
}
