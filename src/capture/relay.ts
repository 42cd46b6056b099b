import type pg from 'pg'
import { StorageError, messageOf } from '../errors.js'
import {
  deleteUnchangedCtes,
  markRelayedSql,
  outboxNames,
  relayReadSql,
  type OutboxNames,
} from '../storages/postgres/outbox-sql.js'
import type { RedisStorage } from '../storages/redis/redis-storage.js'
import type { OperationKind } from '../storages/storage.js'

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
 * a RedisStorage, oldest first, until no unrelayed one is left. Returns how many moved.
 *
 * Redis acknowledges before its append-only file is on disk (`appendfsync everysec`), so a crash of
 * the Redis server can lose operations it acknowledged. The relay therefore keeps what it moved:
 * each row is marked with the relayed watermark (the last Redis sequence of its relay), which Redis
 * stores in the same script as the operations (`registerRelayed`). Each relay first reads the
 * watermark back: rows marked above it were lost with a crash and go again. A relayed row is
 * deleted once Redis, with the watermark at or above its mark, holds no operation for its key: a
 * round claimed it after the relay and committed it to ClickHouse (or an operator skipped it). So
 * the outbox holds what is not yet synced plus about one round. A row captured again meanwhile has
 * a new sequence and is unrelayed again; a re-relayed key costs one more sync of its current row.
 * One relay per model at a time (a session advisory lock, released by PostgreSQL if the relay
 * dies); a second call while one runs returns 0 at once, or with `wait` waits for it and relays
 * what is left.
 */
export async function relayOutbox(pool: pg.Pool, storage: RedisStorage, options: RelayOptions): Promise<number> {
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
    // Read once per relay: rows marked in this relay are above it, and must not count as lost.
    let { watermark }: { watermark: number | null } = await storage.relayedState(importKey, [])
    let moved = 0
    for (;;) {
      const read = await client.query<ReadRow>(relayReadSql(names), [importKey, watermark, batchSize])
      const reset = Number(read.rows.find((row) => row.part === 'reset')?.relayed ?? 0)
      const relay = read.rows.filter((row) => row.part === 'relay')
      const sweep = read.rows.filter((row) => row.part === 'sweep')
      if (sweep.length > 0) await deleteSynced(client, names, storage, importKey, sweep)
      watermark = null
      if (relay.length > 0) {
        const mark = await storage.registerRelayed(importKey, relay)
        await client.query(markRelayedSql(names), [
          importKey,
          relay.map((row) => row.key),
          relay.map((row) => row.seq),
          mark,
        ])
        moved += relay.length
      }
      // Rows just reset are unrelayed now, for the next read to take.
      if (relay.length < batchSize && reset === 0) return moved
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

interface ReadRow {
  part: 'reset' | 'relay' | 'sweep'
  key: string
  kind: OperationKind
  seq: string
  relayed: string
}

/**
 * Deletes the relayed rows Redis shows synced: the watermark, read with the keys, is at or above
 * the row's mark (the relay that moved it is in what Redis holds), and no operation on the key waits
 * (the round that removed it claimed it after that relay). Only rows whose sequence is unchanged.
 */
async function deleteSynced(
  client: pg.PoolClient,
  names: OutboxNames,
  storage: RedisStorage,
  importKey: string,
  rows: readonly ReadRow[],
): Promise<void> {
  const { watermark, waiting } = await storage.relayedState(
    importKey,
    rows.map((row) => row.key),
  )
  const synced = rows.filter((row, index) => Number(row.relayed) <= watermark && !waiting[index])
  if (synced.length === 0) return
  await client.query(
    `WITH ${deleteUnchangedCtes(names, 'unnest($2::text[], $3::bigint[]) AS c(key, seq)')} SELECT count(*) FROM removed`,
    [importKey, synced.map((row) => row.key), synced.map((row) => row.seq)],
  )
}
