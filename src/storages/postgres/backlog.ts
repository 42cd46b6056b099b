import type pg from 'pg'
import type { BacklogSnapshot } from '../metrics.js'
import type { Queryable } from '../../source/source-table.js'
import type { BacklogRange } from '../storage.js'
import type { OutboxNames } from './outbox-sql.js'

/**
 * Waiting operations counted exactly, per model; above, the count is PostgreSQL's estimate. Every
 * round learns the backlog (to decide whether to wait, and for status), so an exact count over a
 * backlog of N operations made a drain cost ~N² / batch; bounded, a round costs the same however
 * many operations wait. The workflow only compares the backlog with its batch size (10,000 by
 * default), which an exact count up to here decides.
 */
export const EXACT_BACKLOG_UP_TO = 10_000

/**
 * A scalar subquery counting the operations of import key $1 up to the bound in parameter `limit`
 * (pass `EXACT_BACKLOG_UP_TO + 1`), for statements that return the backlog with what they do.
 * `except`, when given, is a FROM item of keys (column `key`) to leave out.
 */
export function boundedBacklogSql(names: OutboxNames, limit: string, except?: string): string {
  const left = except ? ` AND o.key NOT IN (SELECT key FROM ${except})` : ''
  return `(SELECT count(*)::int FROM (SELECT 1 FROM ${names.operations} o WHERE o.import_key = $1${left} LIMIT ${limit}) AS waiting)`
}

/**
 * The backlog from a bounded count: the count itself up to EXACT_BACKLOG_UP_TO, else the planner's
 * row estimate (from the table's statistics, refreshed by autovacuum), never below the exact part.
 * Only a backlog past the bound costs this second round trip.
 */
export async function backlogFromBounded(
  client: Queryable,
  names: OutboxNames,
  importKey: string,
  counted: number,
): Promise<number> {
  if (counted <= EXACT_BACKLOG_UP_TO) return counted
  const plan = await client.query<{ 'QUERY PLAN': { Plan: { 'Plan Rows': number } }[] }>(
    `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${names.operations} WHERE import_key = $1`,
    [importKey],
  )
  return Math.max(counted, Math.round(plan.rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'] ?? 0))
}

/**
 * Operations waiting for `importKey`: exact up to EXACT_BACKLOG_UP_TO, else the planner's row estimate.
 */
export async function countBacklog(pool: pg.Pool, names: OutboxNames, importKey: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT ${boundedBacklogSql(names, '$2')} AS n`, [
    importKey,
    EXACT_BACKLOG_UP_TO + 1,
  ])
  return backlogFromBounded(pool, names, importKey, rows[0]?.n ?? 0)
}

/** The backlog with its lowest and highest sequence: the bounds are read from the (import_key, seq) index. */
export async function backlogRange(pool: pg.Pool, names: OutboxNames, importKey: string): Promise<BacklogRange> {
  const { rows } = await pool.query<{ oldest: string | null; newest: string | null }>(
    `SELECT (SELECT min(seq) FROM ${names.operations} WHERE import_key = $1)::text AS oldest,
            (SELECT max(seq) FROM ${names.operations} WHERE import_key = $1)::text AS newest`,
    [importKey],
  )
  const row = rows[0]
  return {
    count: await countBacklog(pool, names, importKey),
    oldestSeq: row?.oldest == null ? null : Number(row.oldest),
    newestSeq: row?.newest == null ? null : Number(row.newest),
  }
}

/**
 * Backlog size and the age of its oldest operation: the one with the lowest sequence, since a
 * registration sets the sequence and the registration time together (read from the index).
 */
export async function backlogSnapshot(pool: pg.Pool, names: OutboxNames, importKey: string): Promise<BacklogSnapshot> {
  const { rows } = await pool.query<{ age: number }>(
    `SELECT (extract(epoch FROM clock_timestamp() - registered_at) * 1000)::float8 AS age
       FROM ${names.operations} WHERE import_key = $1 ORDER BY seq LIMIT 1`,
    [importKey],
  )
  return { size: await countBacklog(pool, names, importKey), oldestAgeMs: rows[0]?.age ?? null }
}
