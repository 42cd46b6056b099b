import type pg from 'pg'
import { lostLock } from '../batch-errors.js'
import type { Claim, DeadLetter } from '../storage.js'
import { EXACT_BACKLOG_UP_TO, boundedBacklogSql } from './backlog.js'
import { deleteUnchangedCtes, type OutboxNames } from './outbox-sql.js'

/** What finishBatch did, and what waits after it. */
export interface FinishedBatch {
  removed: number
  /** Operations left, counted up to EXACT_BACKLOG_UP_TO + 1 (see backlogFromBounded). */
  counted: number
  oldestSeq: number | null
  oldestAgeMs: number | null
}

/**
 * PostgresStorage's postSync inside its transaction. Returns how many operations were removed and
 * what is left, or null when the batch was finished before (idempotent); throws when the token lost
 * the lock.
 *
 * Locking the claim row first serializes two postSyncs of one batch: the second finds it gone. The
 * rest is one statement: its parts share one snapshot, so removing the claimed operations (see
 * deleteUnchangedCtes) still reads the claim another part deletes — and the backlog left is that
 * snapshot's operations without the removed ones.
 */
export async function finishBatch(
  client: pg.PoolClient,
  n: OutboxNames,
  batch: Claim,
  deadLetters: readonly DeadLetter[],
): Promise<FinishedBatch | null> {
  const { importKey, batchId, lockToken } = batch
  // Both rows locked in one statement, the claim's first (as before: its lock is what serializes).
  const held = await client.query<{ claimed: boolean; locked: boolean }>(
    `WITH claimed AS (SELECT FROM ${n.claims} WHERE import_key = $1 AND batch_id = $2 FOR UPDATE),
          locked AS (
            SELECT FROM ${n.locks} WHERE import_key = $1 AND token = $3 AND expires_at > clock_timestamp() FOR UPDATE)
     SELECT EXISTS (SELECT FROM claimed) AS claimed, EXISTS (SELECT FROM locked) AS locked`,
    [importKey, batchId, lockToken],
  )
  if (!held.rows[0]?.claimed) return null
  if (!held.rows[0].locked) throw lostLock(batch)
  const claimed = `(SELECT unnest(keys), unnest(seqs) FROM ${n.claims} WHERE import_key = $1) AS c(key, seq)`
  const { rows } = await client.query<{ removed: number; counted: number; oldest: string | null; age: number | null }>(
    `WITH ${deleteUnchangedCtes(n, claimed)},
     parked AS (
       INSERT INTO ${n.deadLetters} (import_key, key, kind, seq, error, at)
       SELECT $1, * FROM unnest($3::text[], $4::text[], $5::bigint[], $6::text[], $7::timestamptz[])),
     unstaged AS (
       DELETE FROM ${n.staged} WHERE (import_key = $1 AND batch_id = $2) OR expires_at < clock_timestamp()),
     unclaimed AS (DELETE FROM ${n.claims} WHERE import_key = $1),
     unlocked AS (DELETE FROM ${n.locks} WHERE import_key = $1)
     SELECT (SELECT count(*)::int FROM removed) AS removed, ${boundedBacklogSql(n, '$8', 'removed')} AS counted,
            oldest.seq::text AS oldest, oldest.age
       FROM (SELECT) AS one LEFT JOIN LATERAL (
         SELECT o.seq, (extract(epoch FROM clock_timestamp() - o.registered_at) * 1000)::float8 AS age
           FROM ${n.operations} o WHERE o.import_key = $1 AND o.key NOT IN (SELECT key FROM removed)
          ORDER BY o.seq LIMIT 1) AS oldest ON true`,
    [
      importKey,
      batchId,
      deadLetters.map((letter) => letter.operation.key),
      deadLetters.map((letter) => letter.operation.kind),
      deadLetters.map((letter) => letter.operation.seq),
      deadLetters.map((letter) => letter.error),
      deadLetters.map((letter) => letter.at),
      EXACT_BACKLOG_UP_TO + 1,
    ],
  )
  const row = rows[0]
  return {
    removed: row?.removed ?? 0,
    counted: row?.counted ?? 0,
    oldestSeq: row?.oldest == null ? null : Number(row.oldest),
    oldestAgeMs: row?.age ?? null,
  }
}
