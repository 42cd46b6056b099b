/**
 * The sync workflow's input, state and status. Plain JSON only (no Map, Set, Date or classes): the
 * state crosses continue-as-new and the status crosses the wire. Field names are part of recorded
 * histories — do not rename — replay.
 */

import type { ActivityTimeouts } from '../src/config/temporal-settings.js'

export const SYNC_STATES = ['running', 'paused', 'blocked', 'stopping'] as const
/** `running`: rounds go on; `paused`: by request; `blocked`: a configuration error waits for a fix + resume. */
export type SyncState = (typeof SYNC_STATES)[number]

export interface SyncModelInput {
  /** The model's (or multi-model's) import key; the workflow id is `chsync-sync-<importKey>`. */
  importKey: string
  /** Carried across continue-as-new; absent on the first run. */
  state?: SyncModelState
  /** Continue as new after this many rounds even without the SDK's suggestion. @default 500 */
  continueAsNewEveryRounds?: number
  /** Control requests a run received but did not act on; carried across continue-as-new (invariant 8). */
  pending?: PendingRequests
  /** From the starting client's `temporal.activityTimeouts`; carried across continue-as-new. */
  activityTimeouts?: ActivityTimeouts
}

export interface PendingRequests {
  /** `stop` was signalled: the next run ends at once. */
  stop: boolean
  /** The newest sequence an unsatisfied flush (without wait) asked for; rounds go on without delay until it is synced. */
  flushUntilSeq: number | null
}

/** Facts about the last batch that reached ClickHouse. */
export interface BatchSummary {
  batchId: string
  size: number
  /** Rows written to ClickHouse (all models and write aliases of the unit). */
  rows: number
  /** Operations parked as dead letters in this batch. */
  parked: number
  durationMs: number
  /** ISO time the batch was committed. */
  at: string
}

export interface ErrorSummary {
  message: string
  /** Error class name, e.g. `SchemaMismatchError`. */
  type: string
  /** ISO time. */
  at: string
}

export interface SyncModelState {
  /** Paused by request. */
  paused: boolean
  /** Set when a non-retryable error stopped the rounds; cleared by `resume`. */
  blocked: ErrorSummary | null
  /** Operations waiting in the storage, as of the last round. */
  backlog: number
  /** Rounds that committed a batch, over the workflow's whole life (all runs). */
  rounds: number
  /** Operations synced over the workflow's whole life. */
  operationsSynced: number
  lastBatch: BatchSummary | null
  lastError: ErrorSummary | null
  /** Failed rounds in a row; drives the round-level backoff and resets on success. */
  consecutiveFailures: number
  /** ISO time of the last successful round. */
  lastSyncTime: string | null
}

/** What `statusQuery` returns. */
export interface SyncStatus extends SyncModelState {
  importKey: string
  state: SyncState
  /** Rounds in this run (resets at continue-as-new). */
  roundsThisRun: number
}

export interface FlushResult {
  /** Whether everything registered before the call was synced (always false without `wait`). */
  synced: boolean
  /** Operations left in the storage when the flush returned. */
  backlog: number
}

export function initialState(): SyncModelState {
  return {
    paused: false,
    blocked: null,
    backlog: 0,
    rounds: 0,
    operationsSynced: 0,
    lastBatch: null,
    lastError: null,
    consecutiveFailures: 0,
    lastSyncTime: null,
  }
}

/** The workflow id of an import key's sync workflow. */
export function syncWorkflowId(importKey: string): string {
  return `chsync-sync-${importKey}`
}
