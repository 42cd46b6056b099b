/**
 * The intermediate storage: where registered operations wait until a sync round has inserted them
 * into ClickHouse. The methods of the original Storage (reference/storages.md), shaped for batch
 * claims so that every step of a round can be retried: a claimed batch is named, its operations and
 * payload are staged under that name (claim-check), a crashed round's batch is resumed rather than
 * re-composed, and `postSync` removes exactly that batch's operations.
 *
 * Implementations: `RedisStorage` (default) and `PostgresStorage` (transactional outbox). Both pass
 * the one contract suite in test/integration/storages/.
 */

import type { BacklogSnapshot } from './metrics.js'

export const OPERATION_KINDS = ['insert', 'update', 'delete'] as const
/** What happened to a source row. */
export type OperationKind = (typeof OPERATION_KINDS)[number]

/** One registered change, as a batch carries it. */
export interface Operation {
  kind: OperationKind
  /** The source row's primary key, encoded by `encodeKey` (src/source/keys.ts). */
  key: string
  /**
   * Storage-assigned sequence number, strictly increasing per import key (server-side, never a
   * client clock). It is the version written to ClickHouse, so a re-sent batch yields identical rows.
   */
  seq: number
}

/** What activities pass around instead of rows: a name for a claimed batch. */
export interface BatchRef {
  importKey: string
  batchId: string
  /** Number of operations in the batch. */
  size: number
}

/** A batch claimed by `preSync`, with the lock token that fences every later step. */
export interface Claim extends BatchRef {
  /** Fencing token: a step presenting an older token than the lock's current one changes nothing. */
  lockToken: string
  /** True when this is the batch a crashed round left claimed, handed back unchanged. */
  resumed: boolean
  /**
   * Operations waiting as the batch was claimed, its own included, counted as `backlogRange` counts
   * them: the claim returns it so that a round needs no second query for it.
   */
  backlog: number
}

/** What `postSync` did, and what waits after it (as `backlogRange` counts it). */
export interface PostSyncOutcome {
  /** Operations removed: 0 when the batch was completed before (a repeat). */
  removed: number
  /** Operations still waiting. */
  backlog: number
  /** Lowest sequence still waiting, or null when none. */
  oldestSeq: number | null
}

export interface ClaimOptions {
  /** Most operations one batch may hold. */
  batchSize: number
  /** Lock lifetime; the holder extends it while it works, and a dead holder's lock expires. */
  lockTtlMs: number
  /** Who takes the lock (the workflow id). The same owner may take its own lock again (a retry). */
  owner: string
}

export interface BacklogRange {
  count: number
  oldestSeq: number | null
  newestSeq: number | null
}

/** An operation that cannot be synced (a row that does not fit its model), parked with its reason. */
export interface DeadLetter {
  operation: Operation
  error: string
  /** ISO time it was parked. */
  at: string
}

export interface Storage {
  /**
   * Records operations on the given keys. Operations on the same key coalesce (the latest sequence
   * wins: insert then update → update, anything then delete → delete, delete then insert → update;
   * the full rule is `combineKinds` in coalesce.ts, and `update` means insert-or-update). Pipelined:
   * one round trip for many keys. A later call's operations get higher sequences than an earlier
   * call's; within one call the order is the storage's. Returns the number registered (repeated
   * keys counted).
   */
  registerOperations(importKey: string, kind: OperationKind, keys: readonly string[]): Promise<number>
  /** Operations waiting, claimed ones included, counted exactly (on PostgresStorage a scan of them all). */
  operationsCount(importKey: string): Promise<number>
  /** Backlog size (as `backlogRange`'s count) and age of the oldest waiting operation, for status and metrics. */
  backlog?(importKey: string): Promise<BacklogSnapshot>
  /**
   * Operations waiting with the lowest and highest sequence among them (nulls when none): a flush
   * notes the highest at its call and is done once the lowest has passed it. It must not cost in
   * proportion to the backlog: the count is exact up to 10,000 on PostgresStorage and PostgreSQL's
   * estimate above (`EXACT_BACKLOG_UP_TO`). Rounds take the backlog from `preSync` and `postSync`.
   */
  backlogRange(importKey: string): Promise<BacklogRange>
  /**
   * Takes the model's lock and claims up to `batchSize` operations as a new batch — or hands back,
   * unchanged, the batch a crashed round left claimed — with the backlog, in one round trip on
   * RedisStorage (one transaction on PostgresStorage). Returns null when there is nothing to sync
   * (the lock is then released). Throws a retryable `StorageError` when another owner holds a live lock.
   */
  preSync(importKey: string, options: ClaimOptions): Promise<Claim | null>
  /**
   * The claimed operations of a batch, identical on every call, in sequence order. Reading needs no
   * lock token, so a step holding only the batch reference can read. Throws `StorageError` when the
   * batch is no longer claimed (it was completed).
   */
  getOperations(batch: BatchRef): Promise<Operation[]>
  /**
   * Takes the model's lock without claiming anything, for work that must not overlap a round (a
   * backfill's range copy into a collapsing engine, which reads what ClickHouse holds and must not
   * race a round doing the same). The hold is a claim of no operations named `lock:<owner>`;
   * extend it with `extendLock`, end it with `releaseLock`. Throws a retryable `StorageError` while
   * another owner holds the lock or a batch stands claimed (a round is between its steps: its frozen
   * payload was computed from ClickHouse's state before this work, so it must finish first).
   */
  takeLock(importKey: string, options: Pick<ClaimOptions, 'owner' | 'lockTtlMs'>): Promise<Claim>
  /** Ends a hold of `takeLock` (or any lock the token holds); releasing a released lock does nothing. */
  releaseLock(hold: Claim): Promise<void>
  /** Extends the lock; throws `StorageError` when the token no longer holds it (fencing). */
  extendLock(batch: Claim, ttlMs: number): Promise<void>
  /** Stages data under the batch (claim-check): staged row sets and the frozen insert payload. */
  stage(batch: Claim, name: string, data: Buffer): Promise<void>
  /** Staged data, or null when nothing was staged under that name (or it expired). */
  readStaged(batch: BatchRef, name: string): Promise<Buffer | null>
  /**
   * Ends a successful round: removes exactly the batch's operations (an operation registered on the
   * same key meanwhile has a higher sequence and stays), parks `deadLetters`, drops staged data and
   * releases the lock — atomically — and returns what still waits, so a round needs no second query.
   * Idempotent: a repeat removes nothing. Fenced: throws `StorageError` when the token lost the
   * lock, and then removes nothing.
   */
  postSync(batch: Claim, options?: { deadLetters?: readonly DeadLetter[] }): Promise<PostSyncOutcome>
  /** Ends a failed round: releases the lock, keeps every operation and the claim for a resume. */
  postSyncFailed(batch: Claim, error: unknown): Promise<void>
  /** Parked operations of a model, oldest first. */
  deadLetters(importKey: string): Promise<DeadLetter[]>
  /**
   * An operator's way past a key no round can sync: drops the waiting operations of `keys` and parks
   * each as a dead letter with `reason` (nothing vanishes unrecorded; `retryDeadLetters` brings them
   * back). A standing claim holding one of them is dropped with them, so the next round claims a new
   * batch of what is left. Throws `StorageError` while a round holds the lock (pause the model
   * first). Keys with no waiting operation are ignored. Returns the operations dropped.
   */
  skipOperations(importKey: string, keys: readonly string[], reason: string): Promise<number>
  /** Registers parked operations again (with new sequence numbers) and clears them; returns how many. */
  retryDeadLetters(importKey: string): Promise<number>
  close(): Promise<void>
}
