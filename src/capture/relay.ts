import type pg from 'pg'
import { StorageError, messageOf } from '../errors.js'
import { deleteUnchangedCtes, outboxNames } from '../storages/postgres/outbox-sql.js'
import { OPERATION_KINDS, type OperationKind, type Storage } from '../storages/storage.js'

const UNDEFINED_TABLE = '42P01'

export interface RelayOptions {
  /** The model whose captured operations move. Required: a model on PostgresStorage reads the outbox itself. */
  importKey: string
  /** Outbox rows per round trip. @default 10000 */
  batchSize?: number
  /** Outbox schema. @default 'chsync' */
  outboxSchema?: string
  /**
   * Wait for a relay of the same model already running, then relay what is left, instead of
   * returning 0 at once: for callers that must see everything captured so far in the storage (a
   * flush taking its mark), not merely avoid doing the work twice. @default false
   */
  wait?: boolean
}

/**
 * Moves a model's captured operations from the PostgreSQL outbox (written by the triggers) into
 * another storage, e.g. RedisStorage, oldest first, until the outbox holds none for that model.
 * Returns how many moved.
 *
 * An outbox row is deleted only after the storage acknowledged it, and only if its sequence is
 * unchanged (a change captured meanwhile stays for the next run). A crash in between re-delivers
 * the rows, which the storage coalesces with what it holds; nothing is lost. One relay per model at
 * a time (a session advisory lock, released by PostgreSQL if the relay dies); a second call while
 * one runs returns 0 at once, or with `wait` waits for it and relays what is left.
 */
export async function relayOutbox(pool: pg.Pool, storage: Storage, options: RelayOptions): Promise<number> {
  const { importKey, batchSize = 10_000 } = options
  const names = outboxNames(options.outboxSchema ?? 'chsync')
  const client = await pool.connect().catch((error: unknown) => {
    throw new StorageError(
      `Relaying captured operations of ${importKey} failed: cannot connect to PostgreSQL: ${messageOf(error)}`,
      { importKey },
      { cause: error },
    )
  })
  const lockName = `chsync-relay:${options.outboxSchema ?? 'chsync'}:${importKey}`
  let locked = false
  try {
    const { rows } = await client.query<{ locked: boolean }>(
      options.wait
        ? 'SELECT pg_advisory_lock(hashtext($1)) IS NOT NULL AS locked'
        : 'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
      [lockName],
    )
    locked = rows[0]?.locked === true
    if (!locked) return 0
    let moved = 0
    for (;;) {
      const batch = await client.query<{ key: string; kind: OperationKind; seq: string }>(
        `SELECT key, kind, seq::text AS seq FROM ${names.operations} WHERE import_key = $1 ORDER BY seq LIMIT $2`,
        [importKey, batchSize],
      )
      if (batch.rows.length === 0) return moved
      // The outbox holds one row per key, so kinds of different keys can go in any order.
      for (const kind of OPERATION_KINDS) {
        const keys = batch.rows.filter((row) => row.kind === kind).map((row) => row.key)
        if (keys.length > 0) await storage.registerOperations(importKey, kind, keys)
      }
      await client.query(
        `WITH ${deleteUnchangedCtes(names, 'unnest($2::text[], $3::bigint[]) AS c(key, seq)')} SELECT count(*) FROM removed`,
        [importKey, batch.rows.map((row) => row.key), batch.rows.map((row) => row.seq)],
      )
      moved += batch.rows.length
      if (batch.rows.length < batchSize) return moved
    }
  } catch (error) {
    // No outbox yet: capture was never installed in this database, so nothing was captured.
    if ((error as { code?: string }).code === UNDEFINED_TABLE) return 0
    throw new StorageError(
      `Relaying captured operations of ${importKey} from the PostgreSQL outbox failed: ${messageOf(error)}`,
      { importKey },
      { cause: error },
    )
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockName]).catch(() => undefined)
    client.release()
  }
}
