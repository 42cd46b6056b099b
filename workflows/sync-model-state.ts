import { ApplicationFailure } from '@temporalio/workflow'
import type { FlushOptions } from './messages.js'
import type {
  BatchSummary,
  ErrorSummary,
  FlushResult,
  PendingRequests,
  SyncModelInput,
  SyncModelState,
  SyncState,
  SyncStatus,
} from './types.js'
import { initialState } from './types.js'

/** A flush asking for every operation up to `untilSeq` to leave the storage. */
interface PendingFlush {
  untilSeq: number
  done: boolean
  /** Its update handler waits for `done` (flush --wait). */
  waiting: boolean
}

/**
 * The state of one sync workflow run and the logic of its handlers. Signals only change state; the
 * workflow loop reads it. Everything persisted is in `state` (plain JSON, carried across
 * continue-as-new); the rest lives for one run.
 */
export class SyncModelRun {
  readonly importKey: string
  readonly state: SyncModelState
  /** Rounds in this run; continue-as-new resets it. */
  roundsThisRun = 0
  stopRequested = false
  /** Flushes not yet satisfied, waiting or not; settled after every round. */
  private flushes: PendingFlush[] = []

  constructor(input: SyncModelInput) {
    this.importKey = input.importKey
    this.state = input.state ? { ...initialState(), ...input.state } : initialState()
    this.stopRequested = input.pending?.stop ?? false
    const flushUntilSeq = input.pending?.flushUntilSeq ?? null
    if (flushUntilSeq !== null) this.flushes.push({ untilSeq: flushUntilSeq, done: false, waiting: false })
  }

  /** What the next run must still act on. Waiting flushes are not carried: this run answers them first. */
  get pending(): PendingRequests {
    const open = this.flushes.filter((flush) => !flush.done).map((flush) => flush.untilSeq)
    return { stop: this.stopRequested, flushUntilSeq: open.length ? Math.max(...open) : null }
  }

  /** A flush asks for rounds: the wait between rounds ends while one is unsatisfied. */
  get flushRequested(): boolean {
    return this.flushes.some((flush) => !flush.done)
  }

  /** A flush handler waits for a round: the run must not continue as new before it is answered. */
  get flushWaiting(): boolean {
    return this.flushes.some((flush) => flush.waiting && !flush.done)
  }

  get syncState(): SyncState {
    if (this.stopRequested) return 'stopping'
    if (this.state.blocked) return 'blocked'
    if (this.state.paused) return 'paused'
    return 'running'
  }

  /** Rounds may start: not paused, not blocked. */
  get canRun(): boolean {
    return !this.state.paused && !this.state.blocked
  }

  status(): SyncStatus {
    return { importKey: this.importKey, state: this.syncState, roundsThisRun: this.roundsThisRun, ...this.state }
  }

  pause(): void {
    this.state.paused = true
  }

  /** Leaves `paused` and `blocked` alike: the caller says the cause is gone; the next round proves it. */
  resume(): void {
    this.state.paused = false
    this.state.blocked = null
    this.state.consecutiveFailures = 0
  }

  stop(): void {
    this.stopRequested = true
  }

  validateFlush(options: FlushOptions): void {
    const timeoutMs = options.timeoutMs
    if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs <= 0)) {
      throw ApplicationFailure.create({
        type: 'InvalidArgument',
        message: `flush timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`,
        nonRetryable: true,
      })
    }
  }

  /**
   * Registers a flush that is satisfied once no operation up to `newestSeq` remains. A flush without
   * wait stays registered until a round satisfies it, so rounds go on without `syncDelay` until then.
   */
  addFlush(newestSeq: number | null, wait: boolean): PendingFlush {
    const flush = { untilSeq: newestSeq ?? 0, done: newestSeq === null, waiting: wait }
    this.flushes.push(flush)
    return flush
  }

  /** The answer to a flush whose handler waited (or timed out); the flush is then forgotten. */
  flushResult(flush: PendingFlush): FlushResult {
    if (flush.waiting) this.flushes = this.flushes.filter((other) => other !== flush)
    return { synced: flush.done, backlog: this.state.backlog }
  }

  /** After every round: which flushes are satisfied, given the oldest operation still stored. */
  settleFlushes(oldestSeq: number | null): void {
    for (const flush of this.flushes) {
      if (oldestSeq === null || oldestSeq > flush.untilSeq) flush.done = true
    }
    // A waiting flush leaves in its handler (flushResult); the others once satisfied.
    this.flushes = this.flushes.filter((flush) => flush.waiting || !flush.done)
  }

  /** Throws instead of waiting when a flush cannot make progress: it would only time out. */
  assertFlushCanProgress(): void {
    if (this.state.blocked) {
      throw ApplicationFailure.create({
        type: 'SyncBlocked',
        message: `sync of ${this.importKey} is blocked: ${this.state.blocked.message}`,
        nonRetryable: true,
      })
    }
  }

  onBacklog(backlog: number): void {
    this.state.backlog = backlog
  }

  onCommitted(batch: BatchSummary, backlog: number): void {
    this.state.rounds += 1
    this.roundsThisRun += 1
    this.state.operationsSynced += batch.size
    this.state.lastBatch = batch
    this.state.backlog = backlog
    this.state.consecutiveFailures = 0
    this.state.lastSyncTime = batch.at
  }

  onFailed(error: ErrorSummary, blocking: boolean): void {
    this.state.lastError = error
    this.state.consecutiveFailures += 1
    if (blocking) this.state.blocked = error
  }

  /** Round-level backoff after a failed round: 1 s, 2 s, 4 s … capped at one minute. */
  backoffMs(): number {
    return Math.min(60_000, 1000 * 2 ** Math.max(0, this.state.consecutiveFailures - 1))
  }
}
