import type pg from 'pg'
import { StorageError } from '../../errors.js'
import { lockBusy, lostLock, notClaimed } from '../batch-errors.js'
import type { Queryable } from '../../source/source-table.js'
import type { BacklogSnapshot, StorageMetrics } from '../metrics.js'
import type {
  BacklogRange,
  BatchRef,
  Claim,
  ClaimOptions,
  DeadLetter,
  Operation,
  OperationKind,
  PostSyncOutcome,
  Storage,
} from '../storage.js'
import { EXACT_BACKLOG_UP_TO, backlogFromBounded, backlogRange, backlogSnapshot, boundedBacklogSql } from './backlog.js'
import { finishBatch } from './finish-batch.js'
import { skipOperations } from './skip-operations.js'
import { outboxNames, upsertOperationsSql, type OutboxNames } from './outbox-sql.js'
import { catchUpSequence, installOutbox } from './install-outbox.js'
import { inTransaction, retryDeadlock } from './transaction.js'

export interface PostgresStorageOptions {
  /** Schema holding the outbox tables; the capture triggers write there too. @default 'chsync' */
  schema?: string
  /** How long staged data outlives its last write. @default 7 days */
  stagedTtlMs?: number
  metrics?: StorageMetrics
  /** Whether `close()` ends the pool (the storage owns it, as `openStorage` makes it). @default false */
  closeClient?: boolean
}

/**
 * The transactional outbox: operations live in `<schema>.operations` in the source database, so an
 * app can register them in the same transaction as the change (pass its client), and the capture
 * triggers write to the same table. One row per (import key, key): registration is an upsert that
 * coalesces and takes a new sequence. Claims skip rows a running registration holds
 * (`FOR UPDATE SKIP LOCKED`) and are recorded, keys and sequences, in `<schema>.claims`; `postSync`
 * deletes a claimed row only if its sequence is unchanged, which PostgreSQL re-checks against a
 * concurrent upsert before deleting.
 */
export class PostgresStorage implements Storage {
  readonly schema: string
  private readonly names: OutboxNames
  private readonly stagedTtlMs: number
  private readonly metrics: StorageMetrics
  private readonly closeClient: boolean
  private installed: Promise<void> | undefined

  constructor(
    readonly pool: pg.Pool,
    options: PostgresStorageOptions = {},
  ) {
    this.schema = options.schema ?? 'chsync'
    this.names = outboxNames(this.schema)
    this.stagedTtlMs = options.stagedTtlMs ?? 7 * 24 * 3600 * 1000
    this.metrics = options.metrics ?? {}
    this.closeClient = options.closeClient ?? false
  }

  /**
   * Creates the schema, sequences and tables if missing (installOutbox) and catches the sequence up
   * with the clock (catchUpSequence). Safe to call concurrently and repeatedly; runs once.
   */
  ensureSchema(): Promise<void> {
    this.installed ??= installOutbox(this.pool, this.names)
      .then(() => catchUpSequence(this.pool, this.names))
      .catch((error: unknown) => {
        this.installed = undefined
        throw new StorageError(`Installing the chsync outbox in schema ${this.schema} failed`, {}, { cause: error })
      })
    return this.installed
  }

  /**
   * Registers operations; with `client`, inside the caller's transaction (they commit or roll back
   * with it). Keys repeated in one call count once toward the outbox but are all counted.
   */
  async registerOperations(
    importKey: string,
    kind: OperationKind,
    keys: readonly string[],
    options: { client?: Queryable } = {},
  ): Promise<number> {
    if (keys.length === 0) return 0
    await this.ensureSchema()
    // An upsert may not touch one row twice. Rows are upserted (and so locked) in key order, as the
    // capture triggers and postSync lock them: lock order is what keeps the three from deadlocking
    // one another — inside an app's transaction, where a deadlock would fail the app's write.
    const unique = [...new Set(keys)]
    const sql = upsertOperationsSql(this.names, 'SELECT DISTINCT $1, k, $2 FROM unnest($3::text[]) AS k ORDER BY k')
    const values = [importKey, kind, unique]
    if (options.client) await options.client.query(sql, values)
    else await retryDeadlock(() => this.pool.query(sql, values))
    this.metrics.registered?.(importKey, keys.length)
    return keys.length
  }

  /** Exact, so it reads every waiting operation: for tools and tests, never called by a round. */
  async operationsCount(importKey: string): Promise<number> {
    await this.ensureSchema()
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${this.names.operations} WHERE import_key = $1`,
      [importKey],
    )
    return rows[0]?.n ?? 0
  }

  async backlogRange(importKey: string): Promise<BacklogRange> {
    await this.ensureSchema()
    return backlogRange(this.pool, this.names, importKey)
  }

  async backlog(importKey: string): Promise<BacklogSnapshot> {
    await this.ensureSchema()
    return backlogSnapshot(this.pool, this.names, importKey)
  }

  async preSync(importKey: string, options: ClaimOptions): Promise<Claim | null> {
    await this.ensureSchema()
    const n = this.names
    return inTransaction(this.pool, async (client) => {
      // One statement takes the lock and reads the standing claim of a crashed round with the backlog
      // (bounded, see backlog.ts): a round needs no query of its own for either.
      const taken = await client.query<{ token: string; batch_id: string | null; size: number; counted: number }>(
        `WITH taken AS (
           INSERT INTO ${n.locks} AS l (import_key, owner, token, expires_at)
           VALUES ($1, $2, nextval('${n.lockTokenSeq.replace(/'/g, "''")}'), clock_timestamp() + $3 * interval '1 millisecond')
           ON CONFLICT (import_key) DO UPDATE SET owner = EXCLUDED.owner, token = EXCLUDED.token, expires_at = EXCLUDED.expires_at
             WHERE l.owner = EXCLUDED.owner OR l.expires_at <= clock_timestamp()
           RETURNING token::text AS token)
         SELECT taken.token, c.batch_id, cardinality(c.keys) AS size,
                CASE WHEN c.batch_id IS NOT NULL THEN ${boundedBacklogSql(n, '$4')} END AS counted
           FROM taken LEFT JOIN ${n.claims} c ON c.import_key = $1`,
        [importKey, options.owner, options.lockTtlMs, EXACT_BACKLOG_UP_TO + 1],
      )
      const token = taken.rows[0]?.token
      if (token === undefined) {
        const { rows } = await client.query<{ owner: string; ms: number }>(
          `SELECT owner, (extract(epoch FROM expires_at - clock_timestamp()) * 1000)::int AS ms FROM ${n.locks} WHERE import_key = $1`,
          [importKey],
        )
        throw new StorageError(
          `Sync lock for ${importKey} is held by ${rows[0]?.owner} for another ${rows[0]?.ms} ms`,
          {
            importKey,
          },
        )
      }
      const claim = async (batch: { batch_id: string; size: number; counted: number }, resumed: boolean) => ({
        importKey,
        batchId: batch.batch_id,
        size: batch.size,
        lockToken: token,
        resumed,
        backlog: await backlogFromBounded(client, n, importKey, batch.counted),
      })
      const standing = taken.rows[0]
      if (standing?.batch_id != null) return claim({ ...standing, batch_id: standing.batch_id }, true)
      // SKIP LOCKED: a row an uncommitted registration is upserting gets a new sequence anyway.
      const claimed = await client.query<{ batch_id: string; size: number; counted: number }>(
        `WITH picked AS (
           SELECT key, kind, seq FROM ${n.operations} WHERE import_key = $1 ORDER BY seq LIMIT $2 FOR UPDATE SKIP LOCKED)
         INSERT INTO ${n.claims} (import_key, batch_id, keys, kinds, seqs)
         SELECT $1, min(seq) || '-' || max(seq), array_agg(key ORDER BY seq), array_agg(kind ORDER BY seq), array_agg(seq ORDER BY seq)
           FROM picked HAVING count(*) > 0
         RETURNING batch_id, cardinality(keys) AS size, ${boundedBacklogSql(n, '$3')} AS counted`,
        [importKey, options.batchSize, EXACT_BACKLOG_UP_TO + 1],
      )
      const batch = claimed.rows[0]
      if (!batch) {
        await client.query(`DELETE FROM ${n.locks} WHERE import_key = $1 AND token = $2`, [importKey, token])
        return null
      }
      return claim(batch, false)
    })
  }

  async getOperations(batch: BatchRef): Promise<Operation[]> {
    await this.ensureSchema()
    const { rows } = await this.pool.query<{ keys: string[]; kinds: OperationKind[]; seqs: string[] }>(
      `SELECT keys, kinds, seqs::text[] AS seqs FROM ${this.names.claims} WHERE import_key = $1 AND batch_id = $2`,
      [batch.importKey, batch.batchId],
    )
    const claim = rows[0]
    if (!claim) throw notClaimed(batch)
    return claim.keys.map((key, index) => ({
      key,
      kind: claim.kinds[index] as OperationKind,
      seq: Number(claim.seqs[index]),
    }))
  }

  async takeLock(importKey: string, options: Pick<ClaimOptions, 'owner' | 'lockTtlMs'>): Promise<Claim> {
    await this.ensureSchema()
    const n = this.names
    return inTransaction(this.pool, async (client) => {
      const taken = await client.query<{ token: string }>(
        `INSERT INTO ${n.locks} AS l (import_key, owner, token, expires_at)
         VALUES ($1, $2, nextval('${n.lockTokenSeq.replace(/'/g, "''")}'), clock_timestamp() + $3 * interval '1 millisecond')
         ON CONFLICT (import_key) DO UPDATE SET owner = EXCLUDED.owner, token = EXCLUDED.token, expires_at = EXCLUDED.expires_at
           WHERE l.owner = EXCLUDED.owner OR l.expires_at <= clock_timestamp()
         RETURNING token::text AS token`,
        [importKey, options.owner, options.lockTtlMs],
      )
      const token = taken.rows[0]?.token
      if (token === undefined) throw lockBusy(importKey, 'another owner holds it')
      const standing = await client.query<{ batch_id: string }>(
        `SELECT batch_id FROM ${n.claims} WHERE import_key = $1`,
        [importKey],
      )
      // Thrown inside the transaction: the lock just taken is rolled back with it.
      if (standing.rows[0]) throw lockBusy(importKey, `batch ${standing.rows[0].batch_id} stands claimed by a round`)
      return { importKey, batchId: `lock:${options.owner}`, size: 0, lockToken: token, resumed: false, backlog: 0 }
    })
  }

  async releaseLock(hold: Claim): Promise<void> {
    await this.postSyncFailed(hold, null)
  }

  async extendLock(batch: Claim, ttlMs: number): Promise<void> {
    await this.ensureSchema()
    const { rowCount } = await this.pool.query(
      `UPDATE ${this.names.locks} SET expires_at = clock_timestamp() + $3 * interval '1 millisecond'
        WHERE import_key = $1 AND token = $2 AND expires_at > clock_timestamp()`,
      [batch.importKey, batch.lockToken, ttlMs],
    )
    if (rowCount !== 1) throw lostLock(batch)
  }

  async stage(batch: Claim, name: string, data: Buffer): Promise<void> {
    await this.ensureSchema()
    const n = this.names
    const { rowCount } = await this.pool.query(
      `INSERT INTO ${n.staged} (import_key, batch_id, name, data, expires_at)
       SELECT $1, $2, $3, $4, clock_timestamp() + $5 * interval '1 millisecond'
        WHERE EXISTS (SELECT FROM ${n.locks} WHERE import_key = $1 AND token = $6 AND expires_at > clock_timestamp())
          AND EXISTS (SELECT FROM ${n.claims} WHERE import_key = $1 AND batch_id = $2)
       ON CONFLICT (import_key, batch_id, name) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
      [batch.importKey, batch.batchId, name, data, this.stagedTtlMs, batch.lockToken],
    )
    if (rowCount !== 1) throw lostLock(batch)
  }

  async readStaged(batch: BatchRef, name: string): Promise<Buffer | null> {
    await this.ensureSchema()
    const { rows } = await this.pool.query<{ data: Buffer }>(
      `SELECT data FROM ${this.names.staged}
        WHERE import_key = $1 AND batch_id = $2 AND name = $3 AND expires_at > clock_timestamp()`,
      [batch.importKey, batch.batchId, name],
    )
    return rows[0]?.data ?? null
  }

  async postSync(batch: Claim, options: { deadLetters?: readonly DeadLetter[] } = {}): Promise<PostSyncOutcome> {
    await this.ensureSchema()
    const { importKey } = batch
    const finished = await inTransaction(this.pool, async (client) => {
      const done = await finishBatch(client, this.names, batch, options.deadLetters ?? [])
      return done && { ...done, backlog: await backlogFromBounded(client, this.names, importKey, done.counted) }
    })
    if (finished === null) {
      // A repeat: the batch was finished before; only the backlog is asked for.
      const range = await backlogRange(this.pool, this.names, importKey)
      return { removed: 0, backlog: range.count, oldestSeq: range.oldestSeq }
    }
    const { removed, backlog, oldestSeq, oldestAgeMs } = finished
    this.metrics.removed?.(importKey, removed)
    this.metrics.backlog?.(importKey, { size: backlog, oldestAgeMs })
    return { removed, backlog, oldestSeq }
  }

  async postSyncFailed(batch: Claim, _error: unknown): Promise<void> {
    await this.ensureSchema()
    await this.pool.query(`DELETE FROM ${this.names.locks} WHERE import_key = $1 AND token = $2`, [
      batch.importKey,
      batch.lockToken,
    ])
  }

  async deadLetters(importKey: string): Promise<DeadLetter[]> {
    await this.ensureSchema()
    const { rows } = await this.pool.query<{ key: string; kind: OperationKind; seq: string; error: string; at: Date }>(
      `SELECT key, kind, seq::text AS seq, error, at FROM ${this.names.deadLetters} WHERE import_key = $1 ORDER BY id`,
      [importKey],
    )
    return rows.map((row) => ({
      operation: { key: row.key, kind: row.kind, seq: Number(row.seq) },
      error: row.error,
      at: row.at.toISOString(),
    }))
  }

  async skipOperations(importKey: string, keys: readonly string[], reason: string): Promise<number> {
    if (keys.length === 0) return 0
    await this.ensureSchema()
    return inTransaction(this.pool, (client) => skipOperations(client, this.names, importKey, keys, reason))
  }

  async retryDeadLetters(importKey: string): Promise<number> {
    await this.ensureSchema()
    const n = this.names
    const { rows } = await this.pool.query<{ n: number }>(
      `WITH gone AS (DELETE FROM ${n.deadLetters} WHERE import_key = $1 RETURNING id, key, kind),
            latest AS (SELECT DISTINCT ON (key) key, kind, id FROM gone ORDER BY key, id DESC),
            registered AS (${upsertOperationsSql(n, 'SELECT $1, key, kind FROM latest ORDER BY key')} RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [importKey],
    )
    return rows[0]?.n ?? 0
  }

  /** Ends the pool only if the storage owns it: a caller's pool may be the app's own. */
  async close(): Promise<void> {
    if (this.closeClient) await this.pool.end()
  }
}
