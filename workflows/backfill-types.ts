/**
 * The backfill workflow's input, state and status. Plain JSON only: the state crosses continue-as-new
 * and holds range boundaries, never rows (invariant 4). Field names are part of recorded histories —
 * do not rename — replay.
 */

import type { BackfillPlan } from '../src/backfill/plan-ranges.js'
import type { ActivityTimeouts } from '../src/config/temporal-settings.js'
import type { ErrorSummary } from './types.js'

export const BACKFILL_STATES = ['planning', 'copying', 'paused', 'blocked', 'cancelled', 'done'] as const
/** `blocked`: a range failed with a configuration error; it waits for a fix and `resume`. */
export type BackfillState = (typeof BACKFILL_STATES)[number]

export interface BackfillInput {
  importKey: string
  /** Most range copies in flight at once, over every worker. @default 4 */
  parallel?: number
  /** Rows per range (keyset) or the page count that holds about as many (ctid). @default 100000 */
  rangeRows?: number
  /** Carried across continue-as-new; absent on the first run. */
  progress?: BackfillProgress
  /** From the starting client's `temporal.activityTimeouts`; carried across continue-as-new. */
  activityTimeouts?: ActivityTimeouts
}

export interface BackfillProgress {
  /** Names this backfill in deduplication tokens: the first run's id, kept across continue-as-new. */
  backfillId: string
  plan: BackfillPlan | null
  /** Indices of the ranges copied (in ClickHouse, on every write alias). */
  done: number[]
  /** Rows copied by the finished ranges. */
  rows: number
  /** Sum of the finished copies' durations: rows / copyMs is the rate of one range worker. */
  copyMs: number
  /** ISO time the backfill started. */
  startedAt: string
  /** ISO time the last range finished (null until done). */
  finishedAt: string | null
  paused: boolean
  cancelled: boolean
  blocked: ErrorSummary | null
  lastError: ErrorSummary | null
}

/** What `backfillStatusQuery` returns; also what `chsync backfill status` prints. */
export interface BackfillStatus {
  importKey: string
  state: BackfillState
  method: 'key' | 'ctid' | null
  ranges: number
  rangesDone: number
  rangesInFlight: number
  rows: number
  /** Rows per second of wall time since the start. */
  rowsPerSecond: number
  /** Rows per second of one range copy (its own time). */
  rowsPerSecondPerRange: number
  /** Seconds left at the current pace; null until a range finished. */
  etaSeconds: number | null
  parallel: number
  rangeRows: number
  startedAt: string
  finishedAt: string | null
  blocked: ErrorSummary | null
  lastError: ErrorSummary | null
}

export function initialBackfillProgress(backfillId: string, startedAt: string): BackfillProgress {
  return {
    backfillId,
    plan: null,
    done: [],
    rows: 0,
    copyMs: 0,
    startedAt,
    finishedAt: null,
    paused: false,
    cancelled: false,
    blocked: null,
    lastError: null,
  }
}

/** The workflow id of an import key's backfill. */
export function backfillWorkflowId(importKey: string): string {
  return `chsync-backfill-${importKey}`
}
