import { createHash } from 'node:crypto'
import { escapeIdentifier, escapeLiteral } from 'pg'
import type pg from 'pg'
import { ConfigError } from '../errors.js'
import { describeSourceTable } from '../source/describe.js'
import { keySql } from '../source/keys.js'
import { displayName, qualifiedName, type SourceTable } from '../source/source-table.js'
import { outboxNames, upsertOperationsSql } from '../storages/postgres/outbox-sql.js'
import { PostgresStorage } from '../storages/postgres/postgres-storage.js'
import { inTransaction } from '../storages/postgres/transaction.js'

export interface CaptureTarget {
  importKey: string
  source: Pick<SourceTable, 'schema' | 'table' | 'primaryKey'>
  /** Schema of the outbox the triggers write to (PostgresStorage's). @default 'chsync' */
  outboxSchema?: string
}

const EVENTS = ['insert', 'update', 'delete'] as const
const UNDEFINED_TABLE = '42P01'

/**
 * Names derived from the import key: readable, within PostgreSQL's 63-byte identifier limit, and
 * distinct for import keys that differ only in characters the readable part drops (the hash).
 */
export function captureNames(importKey: string): {
  function: string
  triggers: Record<(typeof EVENTS)[number], string>
} {
  const slug = importKey
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 32)
  const hash = createHash('sha256').update(importKey).digest('hex').slice(0, 8)
  const base = `chsync_capture_${slug}_${hash}`
  return {
    function: base,
    triggers: { insert: `${base}_ins`, update: `${base}_upd`, delete: `${base}_del` },
  }
}

/**
 * The trigger function. Statement-level triggers over transition tables rather than row triggers:
 * one upsert per statement however many rows it touches, and a primary-key update is judged by
 * sets — old keys without a new row are deletes, new keys without an old row are inserts, the rest
 * updates. Row by row, `UPDATE t SET id = id + 1` would record "insert 2" from row 1 and then
 * "delete 2" from row 2, coalescing to a delete of a row that exists. Keys are upserted in key
 * order so concurrent statements lock outbox rows in one order (no deadlocks between captures).
 */
function functionSql(target: CaptureTarget, outboxSchema: string): string {
  const names = outboxNames(outboxSchema)
  const key = (alias: string) => keySql(target.source.primaryKey, alias)
  const keys = (table: string) => `(SELECT DISTINCT ${key('r')} AS k FROM ${table} r)`
  const upsert = (select: string) => upsertOperationsSql(names, select)
  const body = `
BEGIN
  IF TG_OP = 'INSERT' THEN
    ${upsert(`SELECT TG_ARGV[0], k, 'insert' FROM ${keys('chsync_new')} n ORDER BY k`)};
  ELSIF TG_OP = 'DELETE' THEN
    ${upsert(`SELECT TG_ARGV[0], k, 'delete' FROM ${keys('chsync_old')} o ORDER BY k`)};
  ELSE
    ${upsert(`SELECT TG_ARGV[0], coalesce(n.k, o.k),
             CASE WHEN n.k IS NULL THEN 'delete' WHEN o.k IS NULL THEN 'insert' ELSE 'update' END
        FROM ${keys('chsync_new')} n FULL JOIN ${keys('chsync_old')} o ON n.k = o.k ORDER BY 2`)};
  END IF;
  RETURN NULL;
END`
  if (body.includes('$chsync$')) {
    throw new ConfigError(`Capture for ${target.importKey}: identifiers must not contain $chsync$`, {
      importKey: target.importKey,
      table: displayName(target.source),
    })
  }
  const fn = `${names.schema}.${escapeIdentifier(captureNames(target.importKey).function)}`
  // SECURITY DEFINER: the app's roles write the source table, only the installer the outbox; a
  // missing grant must never make an app's write fail. The pinned search_path is what makes a
  // definer function safe (every name inside is schema-qualified or from pg_catalog).
  return `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $chsync$${body}$chsync$`
}

/**
 * Installs the capture triggers of a model on its source table, writing into the outbox in the same
 * transaction as every change. Idempotent (re-installing replaces them); the outbox schema is
 * created if missing. Throws `ConfigError` when the table or a key column does not exist.
 * TRUNCATE is not captured: it fires no row-level information to capture. On a partitioned table
 * the triggers see statements addressed to the parent (row movement between partitions included);
 * a statement addressed to one partition directly needs the capture installed on that partition too.
 */
export async function installCapture(pool: pg.Pool, target: CaptureTarget): Promise<void> {
  const outboxSchema = target.outboxSchema ?? 'chsync'
  await describeSourceTable(pool, { ...target.source })
  await new PostgresStorage(pool, { schema: outboxSchema }).ensureSchema()
  const names = captureNames(target.importKey)
  const fn = `${escapeIdentifier(outboxSchema)}.${escapeIdentifier(names.function)}`
  const table = qualifiedName(target.source)
  await inTransaction(pool, async (client) => {
    await client.query(functionSql(target, outboxSchema))
    for (const event of EVENTS) {
      const trigger = escapeIdentifier(names.triggers[event])
      const transition =
        event === 'insert'
          ? 'NEW TABLE AS chsync_new'
          : event === 'delete'
            ? 'OLD TABLE AS chsync_old'
            : 'OLD TABLE AS chsync_old NEW TABLE AS chsync_new'
      await client.query(`DROP TRIGGER IF EXISTS ${trigger} ON ${table}`)
      await client.query(
        `CREATE TRIGGER ${trigger} AFTER ${event.toUpperCase()} ON ${table} REFERENCING ${transition}
         FOR EACH STATEMENT EXECUTE FUNCTION ${fn}(${escapeLiteral(target.importKey)})`,
      )
    }
  })
}

/**
 * Removes a model's capture triggers and their function, wherever the triggers are (dropping the
 * function with CASCADE takes its triggers along, so a renamed or dropped table is no obstacle).
 * Idempotent. Operations already in the outbox stay.
 */
export async function removeCapture(
  pool: pg.Pool,
  target: Pick<CaptureTarget, 'importKey' | 'outboxSchema'>,
): Promise<void> {
  const fn = `${escapeIdentifier(target.outboxSchema ?? 'chsync')}.${escapeIdentifier(captureNames(target.importKey).function)}`
  await pool.query(`DROP FUNCTION IF EXISTS ${fn}() CASCADE`)
}

/**
 * Whether the relay has anything to do for a model: its capture function exists (so its triggers
 * may capture), or the outbox still holds rows of it (captured before a `removeCapture`, or relayed
 * and not yet deleted). False when the outbox was never installed.
 */
export async function relayNeeded(
  pool: pg.Pool,
  target: Pick<CaptureTarget, 'importKey' | 'outboxSchema'>,
): Promise<boolean> {
  const schema = target.outboxSchema ?? 'chsync'
  const { rows } = await pool.query<{ installed: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                     WHERE n.nspname = $1 AND p.proname = $2) AS installed`,
    [schema, captureNames(target.importKey).function],
  )
  if (rows[0]?.installed) return true
  try {
    const left = await pool.query(`SELECT 1 FROM ${outboxNames(schema).operations} WHERE import_key = $1 LIMIT 1`, [
      target.importKey,
    ])
    return left.rows.length > 0
  } catch (error) {
    if ((error as { code?: string }).code === UNDEFINED_TABLE) return false
    throw error
  }
}
