import { escapeIdentifier } from 'pg'
import type pg from 'pg'
import { outboxDdl, RELAYED_INDEX, type OutboxNames } from './outbox-sql.js'
import { inTransaction } from './transaction.js'

const INSUFFICIENT_PRIVILEGE = '42501'

/**
 * Creates the outbox if missing. When it exists nothing is created, so an app role without CREATE
 * rights can register (PostgreSQL checks that right before it looks whether the schema exists).
 */
export async function installOutbox(pool: pg.Pool, names: OutboxNames): Promise<void> {
  // The DDL runs in one transaction, so when its last object exists everything does.
  const { rows } = await pool.query<{ ready: boolean }>('SELECT to_regclass($1) IS NOT NULL AS ready', [
    `${names.schema}.${escapeIdentifier(RELAYED_INDEX)}`,
  ])
  if (rows[0]?.ready) return
  await inTransaction(pool, async (client) => {
    // Concurrent CREATE ... IF NOT EXISTS can still collide in the catalog; serialize installers.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`chsync-install:${names.schema}`])
    for (const statement of outboxDdl(names, BigInt(Date.now()) * 1000n)) await client.query(statement)
  })
}

/**
 * Moves the operation sequence up to the clock (µs) when it fell more than a second behind, as
 * RedisStorage's sequences always are: sequences are the versions written to ClickHouse, so a
 * model moved from Redis to this storage must not write versions below the ones Redis gave. Run
 * once per process; skipped without the right to set the sequence (an app role that only
 * registers). The one-second margin keeps a concurrent `nextval` from being handed out twice.
 */
export async function catchUpSequence(pool: pg.Pool, names: OutboxNames): Promise<void> {
  await pool
    .query(
      `SELECT setval($1::regclass, now_us)
         FROM (SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint AS now_us) clock
        WHERE pg_sequence_last_value($1::regclass) < now_us - 1000000`,
      [names.operationSeq],
    )
    .catch((error: unknown) => {
      if ((error as { code?: string }).code !== INSUFFICIENT_PRIVILEGE) throw error
    })
}
