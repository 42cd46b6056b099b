import type pg from 'pg'
import { lostLock } from '../batch-errors.js'
import type { Claim, DeadLetter } from '../storage.js'
import { deleteUnchangedCtes, type OutboxNames } from './outbox-sql.js'

/**
 * PostgresStorage's postSync inside its transaction. Returns how many operations were removed, or
 * null when the batch was finished before (idempotent); throws when the token lost the lock.
 *
 * Locking the claim row first serializes two postSyncs of one batch: the second finds it gone. The
 * rest is one statement: its parts share one snapshot, so removing the claimed operations (see
 * deleteUnchangedCtes) still reads the claim another part deletes.
 */
export async function finishBatch(
  client: pg.PoolClient,
  n: OutboxNames,
  batch: Claim,
  deadLetters: readonly DeadLetter[],
): Promise<number | null> {
  const { importKey, batchId, lockToken } = batch
  const claim = await client.query(`SELECT FROM ${n.claims} WHERE import_key = $1 AND batch_id = $2 FOR UPDATE`, [
    importKey,
    batchId,
  ])
  if (claim.rowCount === 0) return null
  const lock = await client.query(
    `SELECT FROM ${n.locks} WHERE import_key = $1 AND token = $2 AND expires_at > clock_timestamp() FOR UPDATE`,
    [importKey, lockToken],
  )
  if (lock.rowCount === 0) throw lostLock(batch)
  const claimed = `(SELECT unnest(keys), unnest(seqs) FROM ${n.claims} WHERE import_key = $1) AS c(key, seq)`
  const { rows } = await client.query<{ removed: number }>(
    `WITH ${deleteUnchangedCtes(n, claimed)},
     parked AS (
       INSERT INTO ${n.deadLetters} (import_key, key, kind, seq, error, at)
       SELECT $1, * FROM unnest($3::text[], $4::text[], $5::bigint[], $6::text[], $7::timestamptz[])),
     synced AS (
       INSERT INTO ${n.syncTimes} VALUES ($1, clock_timestamp())
       ON CONFLICT (import_key) DO UPDATE SET synced_at = EXCLUDED.synced_at),
     unstaged AS (
       DELETE FROM ${n.staged} WHERE (import_key = $1 AND batch_id = $2) OR expires_at < clock_timestamp()),
     unclaimed AS (DELETE FROM ${n.claims} WHERE import_key = $1),
     unlocked AS (DELETE FROM ${n.locks} WHERE import_key = $1)
     SELECT count(*)::int AS removed FROM removed`,
    [
      importKey,
      batchId,
      deadLetters.map((letter) => letter.operation.key),
      deadLetters.map((letter) => letter.operation.kind),
      deadLetters.map((letter) => letter.operation.seq),
      deadLetters.map((letter) => letter.error),
      deadLetters.map((letter) => letter.at),
    ],
  )
  return rows[0]?.removed ?? 0
}
