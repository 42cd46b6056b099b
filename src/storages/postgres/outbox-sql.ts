import { escapeIdentifier } from 'pg'

/**
 * SQL of the outbox that PostgresStorage keeps and the capture triggers write to. One place, so
 * the storage's registration and the triggers' coalesce identically (src/storages/coalesce.ts).
 */

/** Quoted names of the outbox objects in `schema`. */
export function outboxNames(schema: string) {
  const s = escapeIdentifier(schema)
  return {
    schema: s,
    operations: `${s}.operations`,
    operationSeq: `${s}.operation_seq`,
    lockTokenSeq: `${s}.lock_token_seq`,
    claims: `${s}.claims`,
    locks: `${s}.locks`,
    staged: `${s}.staged`,
    deadLetters: `${s}.dead_letters`,
  }
}

export type OutboxNames = ReturnType<typeof outboxNames>

/** The outbox's last DDL object: where it exists, the whole outbox does. */
export const RELAYED_INDEX = 'operations_relayed'

/**
 * DDL, idempotent. The operation sequence starts at the install time in microseconds, so versions
 * written to ClickHouse keep growing even if the schema is dropped and installed again.
 */
export function outboxDdl(names: OutboxNames, startSeq: bigint): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${names.schema}`,
    `CREATE SEQUENCE IF NOT EXISTS ${names.operationSeq} START WITH ${startSeq}`,
    `CREATE SEQUENCE IF NOT EXISTS ${names.lockTokenSeq}`,
    `CREATE TABLE IF NOT EXISTS ${names.operations} (
       import_key text NOT NULL,
       key text NOT NULL,
       kind text NOT NULL CHECK (kind IN ('insert', 'update', 'delete')),
       seq bigint NOT NULL DEFAULT nextval('${names.operationSeq.replace(/'/g, "''")}'),
       registered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
       relayed bigint, -- NULL until relayed into Redis; reset to NULL by a new capture of the row
       PRIMARY KEY (import_key, key))`,
    `CREATE INDEX IF NOT EXISTS operations_by_seq ON ${names.operations} (import_key, seq)`,
    `CREATE TABLE IF NOT EXISTS ${names.claims} (
       import_key text PRIMARY KEY,
       batch_id text NOT NULL,
       keys text[] NOT NULL,
       kinds text[] NOT NULL,
       seqs bigint[] NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${names.locks} (
       import_key text PRIMARY KEY,
       owner text NOT NULL,
       token bigint NOT NULL,
       expires_at timestamptz NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS ${names.staged} (
       import_key text NOT NULL,
       batch_id text NOT NULL,
       name text NOT NULL,
       data bytea NOT NULL,
       expires_at timestamptz NOT NULL,
       PRIMARY KEY (import_key, batch_id, name))`,
    `CREATE TABLE IF NOT EXISTS ${names.deadLetters} (
       id bigserial PRIMARY KEY,
       import_key text NOT NULL,
       key text NOT NULL,
       kind text NOT NULL,
       seq bigint NOT NULL,
       error text NOT NULL,
       at timestamptz NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS dead_letters_by_import_key ON ${names.deadLetters} (import_key, id)`,
    // Indexes on `relayed` (the Redis watermark of the relay that moved the row, src/capture/relay.ts).
    // Last, so installOutbox can tell a complete outbox by this index.
    `CREATE INDEX IF NOT EXISTS operations_unrelayed ON ${names.operations} (import_key, seq) WHERE relayed IS NULL`,
    `CREATE INDEX IF NOT EXISTS ${RELAYED_INDEX} ON ${names.operations} (import_key, relayed) WHERE relayed IS NOT NULL`,
  ]
}

/**
 * Upserts (import_key, key, kind) rows produced by `source` (a SELECT yielding those three columns,
 * one row per key, in the order sequences should be assigned). Coalesces like combineKinds. A new
 * change of a row the relay already moved makes it unrelayed again (`relayed = NULL`).
 * An update takes its sequence once it holds the row: `EXCLUDED.seq` was drawn before waiting for a
 * transaction that held the key, which may meanwhile have committed a higher one (and a claim in
 * between written that one to ClickHouse), so the key's sequence would go down.
 */
export function upsertOperationsSql(names: OutboxNames, source: string): string {
  return `INSERT INTO ${names.operations} AS o (import_key, key, kind) ${source}
    ON CONFLICT (import_key, key) DO UPDATE SET
      kind = CASE WHEN EXCLUDED.kind = 'delete' THEN 'delete'
                  WHEN o.kind = 'insert' AND EXCLUDED.kind = 'insert' THEN 'insert'
                  ELSE 'update' END,
      seq = nextval('${names.operationSeq.replace(/'/g, "''")}'),
      registered_at = EXCLUDED.registered_at,
      relayed = NULL`
}

/**
 * CTEs `locked` and `removed` (the keys deleted) deleting the operations of import key $1 listed by
 * `pairs` (a FROM item `… AS c(key, seq)`) whose sequence is unchanged. The rows are locked first, in key order —
 * the order in which registrations and capture triggers lock them, so none of them deadlock one
 * another (inside an app's transaction a deadlock would fail the app's write) — and PostgreSQL
 * re-checks the sequence on the latest version of a row a concurrent registration changed.
 */
export function deleteUnchangedCtes(names: OutboxNames, pairs: string): string {
  return `locked AS (
       SELECT o.key FROM ${names.operations} o JOIN ${pairs} ON o.import_key = $1 AND o.key = c.key AND o.seq = c.seq
        ORDER BY o.key FOR UPDATE OF o),
     removed AS (
       DELETE FROM ${names.operations} o USING locked l WHERE o.import_key = $1 AND o.key = l.key RETURNING o.key)`
}

/**
 * The relay's read (src/capture/relay.ts), one statement. With $2, the Redis watermark: first makes
 * the rows a relay marked above it unrelayed again (Redis lost that relay: they go again), locking
 * them in key order like every other writer, and reports how many as a `reset` row; then the first
 * $3 unrelayed rows by sequence (`relay` rows, the ones reset not among them: the statement sees the
 * outbox as it began); then, with $2, the $3 rows relayed longest ago at or below it (`sweep` rows,
 * with their watermark), which the relay deletes once Redis shows them synced. $2 NULL: relay rows only.
 */
export function relayReadSql(names: OutboxNames): string {
  return `WITH lost AS (
       SELECT o.key FROM ${names.operations} o WHERE o.import_key = $1 AND o.relayed > $2::bigint
        ORDER BY o.key FOR UPDATE OF o),
     reset AS (
       UPDATE ${names.operations} o SET relayed = NULL FROM lost l WHERE o.import_key = $1 AND o.key = l.key RETURNING 1)
     (SELECT 'reset' AS part, NULL AS key, NULL AS kind, NULL AS seq, count(*)::text AS relayed FROM reset
       WHERE $2::bigint IS NOT NULL)
     UNION ALL
     (SELECT 'relay', key, kind, seq::text, NULL FROM ${names.operations}
       WHERE import_key = $1 AND relayed IS NULL ORDER BY seq LIMIT $3)
     UNION ALL
     (SELECT 'sweep', key, kind, seq::text, relayed::text FROM ${names.operations}
       WHERE import_key = $1 AND relayed <= $2::bigint ORDER BY relayed LIMIT $3)`
}

/**
 * Marks the rows of import key $1 listed by ($2 keys, $3 sequences) as relayed at watermark $4,
 * those whose sequence is unchanged (a row captured again meanwhile stays unrelayed), locking them
 * in key order as deleteUnchangedCtes does.
 */
export function markRelayedSql(names: OutboxNames): string {
  return `WITH locked AS (
       SELECT o.key FROM ${names.operations} o JOIN unnest($2::text[], $3::bigint[]) AS c(key, seq)
           ON o.import_key = $1 AND o.key = c.key AND o.seq = c.seq
        ORDER BY o.key FOR UPDATE OF o)
     UPDATE ${names.operations} o SET relayed = $4::bigint FROM locked l WHERE o.import_key = $1 AND o.key = l.key`
}
