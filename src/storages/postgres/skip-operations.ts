import type pg from 'pg'
import { syncing } from '../batch-errors.js'
import type { OutboxNames } from './outbox-sql.js'

/**
 * PostgresStorage's skipOperations inside its transaction: refuses while a live lock is held (the
 * lock row is locked so no round can take it meanwhile), then parks each waiting operation of the
 * keys as a dead letter, deletes it, and drops the standing claim and its staged payload if the claim
 * holds one of them (its other operations are still waiting; the next round claims them again).
 * Returns how many.
 */
export async function skipOperations(
  client: pg.PoolClient,
  n: OutboxNames,
  importKey: string,
  keys: readonly string[],
  reason: string,
): Promise<number> {
  // A lock row, live or expired, is locked: a round taking the lock now waits for this transaction.
  await client.query(
    `INSERT INTO ${n.locks} (import_key, owner, token, expires_at) VALUES ($1, '', 0, '-infinity')
     ON CONFLICT (import_key) DO NOTHING`,
    [importKey],
  )
  const lock = await client.query<{ live: boolean }>(
    `SELECT expires_at > clock_timestamp() AS live FROM ${n.locks} WHERE import_key = $1 FOR UPDATE`,
    [importKey],
  )
  if (lock.rows[0]?.live) throw syncing(importKey)
  const { rows } = await client.query<{ n: number }>(
    `WITH gone AS (
       DELETE FROM ${n.operations} WHERE import_key = $1 AND key = ANY($2::text[]) RETURNING key, kind, seq),
     parked AS (
       INSERT INTO ${n.deadLetters} (import_key, key, kind, seq, error, at)
       SELECT $1, key, kind, seq, $3, clock_timestamp() FROM gone ORDER BY seq RETURNING 1),
     unclaimed AS (
       DELETE FROM ${n.claims} WHERE import_key = $1 AND keys && $2::text[] RETURNING batch_id),
     -- A new claim of what is left can get the same id (the same first and last sequence): the old
     -- payload, with the skipped rows in it, must not be taken for its.
     unstaged AS (
       DELETE FROM ${n.staged} WHERE import_key = $1 AND batch_id IN (SELECT batch_id FROM unclaimed))
     SELECT count(*)::int AS n FROM parked`,
    [importKey, [...new Set(keys)], reason],
  )
  await client.query(`DELETE FROM ${n.locks} WHERE import_key = $1 AND token = 0`, [importKey])
  return rows[0]?.n ?? 0
}
