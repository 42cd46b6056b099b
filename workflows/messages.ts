import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow'
import type { BackfillStatus } from './backfill-types.js'
import type { FlushResult, SyncStatus } from './types.js'

/**
 * Every message a sync workflow answers. The CLI and tests import these constants, never strings.
 * Wire names are the constant minus its suffix. Do not rename — replay and running clients depend on them.
 */

/** Stop starting rounds (the current one finishes). Operations keep accumulating in the storage. */
export const pauseSignal = defineSignal('pause')

/** Start rounds again; also leaves the `blocked` state after its cause was fixed. */
export const resumeSignal = defineSignal('resume')

/** End the workflow after the current round; the operations stay in the storage for the next start. */
export const stopSignal = defineSignal('stop')

/**
 * Sync now instead of after the delay. An update, not a signal, because the caller may wait: with
 * `wait`, it returns once every operation registered before the call is synced (or `timeoutMs` passed).
 */
export const flushUpdate = defineUpdate<FlushResult, [FlushOptions]>('flush')

export interface FlushOptions {
  /** Wait until the operations present at the call are synced. @default false */
  wait?: boolean
  /** Longest wait, with `wait`. @default 60000 */
  timeoutMs?: number
}

/** A summary of the model's sync: state, backlog, last batch, last error, counters. Never rows. */
export const statusQuery = defineQuery<SyncStatus>('status')

/**
 * A backfill answers `pauseSignal` (no new range starts; those in flight finish) and `resumeSignal`
 * (also leaves `blocked`) too, and these two.
 */

/** End the backfill: copies in flight are cancelled; ranges already copied stay (live rows still win). */
export const cancelBackfillSignal = defineSignal('cancel')

/** Ranges done, rows, rows/s, ETA of a backfill. Never rows themselves. */
export const backfillStatusQuery = defineQuery<BackfillStatus>('backfillStatus')
