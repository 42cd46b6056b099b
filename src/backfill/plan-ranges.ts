import { escapeIdentifier } from 'pg'
import { describeSourceTable, type SourceColumn } from '../source/describe.js'
import { qualifiedName, type Queryable, type SourceTable } from '../source/source-table.js'
import { keyRowSql, keyValueSql, type BackfillRange } from './range.js'

/** The plan of a backfill: its ranges, and how they were cut. */
export interface BackfillPlan {
  method: 'key' | 'ctid'
  ranges: BackfillRange[]
}

/** What a planning attempt has found so far (heartbeated, so a retry goes on from there). */
export interface PlanProgress {
  /** Upper bounds of the key ranges found so far, in order. */
  bounds: string[][]
}

/**
 * Cuts the source table into ranges of about `rangeRows` rows. Keyset ranges when a btree index
 * starts with the primary-key columns (any orderable type, composite or not: text, uuid, dates):
 * the walk reads each index entry once, `rangeRows` at a step, never an OFFSET into the table.
 * Otherwise heap page ranges (`ctid`), sized from the table's statistics.
 *
 * The plan describes the table as it was when planned; rows written later land in an open-ended
 * range or are registered by capture and synced live (docs/backfill.md). Deterministic for a given
 * table state; the workflow keeps the one plan it received, so retries never re-plan.
 */
export async function planRanges(
  db: Queryable,
  source: SourceTable,
  rangeRows: number,
  resume: PlanProgress | undefined,
  progress: (state: PlanProgress) => void,
): Promise<BackfillPlan> {
  const description = await describeSourceTable(db, source)
  if (await hasKeyIndex(db, source, description.primaryKey)) {
    const bounds = await walkKeyIndex(db, source, description.primaryKey, rangeRows, resume, progress)
    const ranges: BackfillRange[] = [...bounds, null].map((upTo, index) => ({
      kind: 'key',
      index,
      after: index === 0 ? null : (bounds[index - 1] as string[]),
      upTo,
    }))
    return { method: 'key', ranges }
  }
  return { method: 'ctid', ranges: await pageRanges(db, source, rangeRows) }
}

/** Whether a plain (non-partial) btree index starts with exactly the key columns, in their order. */
async function hasKeyIndex(db: Queryable, source: SourceTable, key: readonly SourceColumn[]): Promise<boolean> {
  const { rows } = await db.query<{ found: boolean }>(
    `SELECT EXISTS (
       SELECT FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_am am ON am.oid = c.relam
        WHERE i.indrelid = to_regclass($1) AND am.amname = 'btree' AND i.indpred IS NULL
          AND (string_to_array(i.indkey::text, ' ')::int[])[1:$3] = ARRAY(
                SELECT a.attnum::int FROM unnest($2::text[]) WITH ORDINALITY AS u(name, ord)
                  JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attname = u.name ORDER BY u.ord)
     ) AS found`,
    [qualifiedName(source), key.map((column) => column.name), key.length],
  )
  return rows[0]?.found ?? false
}

/** Walks the key index `rangeRows` entries at a time; returns each step's last key (text forms). */
async function walkKeyIndex(
  db: Queryable,
  source: SourceTable,
  key: readonly SourceColumn[],
  rangeRows: number,
  resume: PlanProgress | undefined,
  progress: (state: PlanProgress) => void,
): Promise<string[][]> {
  const bounds = [...(resume?.bounds ?? [])]
  const names = key.map((column) => escapeIdentifier(column.name))
  const order = names.map((name) => `t.${name}`).join(', ')
  const texts = key.map((_, index) => `s.k${index}::text AS k${index}`).join(', ')
  const picked = names.map((name, index) => `t.${name} AS k${index}`).join(', ')
  const filter = source.where ? ` AND (${source.where})` : ''
  for (;;) {
    const last = bounds.at(-1)
    const after = last ? `${keyRowSql(key, 't')} > ${keyValueSql(key, last)}` : 'TRUE'
    const { rows } = await db.query<Record<string, string | number>>(
      `SELECT ${texts}, s.n FROM (
         SELECT ${picked}, row_number() OVER (ORDER BY ${order}) AS n FROM (
           SELECT ${order} FROM ${qualifiedName(source)} t WHERE ${after}${filter} ORDER BY ${order} LIMIT $1) t
       ) s ORDER BY s.n DESC LIMIT 1`,
      [rangeRows],
    )
    const row = rows[0]
    if (!row || Number(row.n) < rangeRows) return bounds
    bounds.push(key.map((_, index) => String(row[`k${index}`])))
    progress({ bounds })
  }
}

/** Page ranges of about `rangeRows` rows each, the last one open to pages added later. */
async function pageRanges(db: Queryable, source: SourceTable, rangeRows: number): Promise<BackfillRange[]> {
  const { rows } = await db.query<{ pages: string; tuples: number }>(
    `SELECT (pg_relation_size(c.oid) / current_setting('block_size')::int)::text AS pages, c.reltuples AS tuples
       FROM pg_class c WHERE c.oid = to_regclass($1)`,
    [qualifiedName(source)],
  )
  const pages = Number(rows[0]?.pages ?? 0)
  let tuples = Number(rows[0]?.tuples ?? -1)
  // Never analyzed (-1): count once; the plan's sizes are only estimates either way.
  if (tuples < 0) {
    const counted = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualifiedName(source)}`)
    tuples = Number(counted.rows[0]?.n ?? 0)
  }
  const perPage = pages > 0 ? Math.max(1, tuples / pages) : 1
  const pagesPerRange = Math.max(1, Math.floor(rangeRows / perPage))
  const ranges: BackfillRange[] = []
  for (let from = 0; from + pagesPerRange < pages; from += pagesPerRange) {
    ranges.push({ kind: 'ctid', index: ranges.length, fromPage: from, toPage: from + pagesPerRange })
  }
  const lastFrom = ranges.length * pagesPerRange
  ranges.push({ kind: 'ctid', index: ranges.length, fromPage: lastFrom, toPage: null })
  return ranges
}
