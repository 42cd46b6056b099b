import { escapeIdentifier, escapeLiteral } from 'pg'
import type { SourceColumn } from '../source/describe.js'

/**
 * A slice of the source table one copy reads. Plain JSON: ranges live in the backfill workflow's
 * state (boundaries only, never rows), so a retried copy reads exactly the slice it was planned with.
 *
 * - `key`: keyset ranges over the primary key's index, `(after, upTo]` on the key columns' row value,
 *   each bound the key's text forms (null: open). The first range is open below, the last above, so
 *   rows inserted after planning past either end are still read.
 * - `ctid`: heap pages `[fromPage, toPage)` (toPage null: to the end), for keys without a usable index.
 */
export type BackfillRange =
  | { kind: 'key'; index: number; after: string[] | null; upTo: string[] | null }
  | { kind: 'ctid'; index: number; fromPage: number; toPage: number | null }

/** A range for messages and activity summaries: `(10, 20]`, `pages [0, 128)`. */
export function describeRange(range: BackfillRange): string {
  if (range.kind === 'ctid') return `pages [${range.fromPage}, ${range.toPage ?? '∞'})`
  const bound = (values: string[] | null, open: string) => (values ? values.join(', ') : open)
  return `(${bound(range.after, '-∞')}, ${bound(range.upTo, '∞')}]`
}

/** `(t."a", t."b")`: the key columns as one row value, for comparisons the btree index serves. */
export function keyRowSql(columns: readonly SourceColumn[], alias: string): string {
  const list = columns.map((column) => `${alias}.${escapeIdentifier(column.name)}`).join(', ')
  return columns.length === 1 ? list : `ROW(${list})`
}

/**
 * The key's text forms as a typed row value: `'42'::integer`, `ROW('a'::text, '1'::integer)`.
 * Literals are escaped by pg's `escapeLiteral`: COPY takes no bind parameters, and the bounds are
 * values the planning query itself returned.
 */
export function keyValueSql(columns: readonly SourceColumn[], values: readonly string[]): string {
  const list = columns.map((column, index) => `${escapeLiteral(values[index] ?? '')}::${column.type}`).join(', ')
  return columns.length === 1 ? list : `ROW(${list})`
}

/**
 * The condition selecting a range's rows of relation `alias`. ctid bounds are numbers the plan
 * computed, printed as tid literals (PostgreSQL ≥ 14 reads them with a TID range scan).
 */
export function rangeConditionSql(range: BackfillRange, keyColumns: readonly SourceColumn[], alias: string): string {
  const parts: string[] = []
  if (range.kind === 'ctid') {
    parts.push(`${alias}.ctid >= '(${Math.trunc(range.fromPage)},0)'::tid`)
    if (range.toPage !== null) parts.push(`${alias}.ctid < '(${Math.trunc(range.toPage)},0)'::tid`)
  } else {
    const row = keyRowSql(keyColumns, alias)
    if (range.after) parts.push(`${row} > ${keyValueSql(keyColumns, range.after)}`)
    if (range.upTo) parts.push(`${row} <= ${keyValueSql(keyColumns, range.upTo)}`)
  }
  return parts.length ? parts.join(' AND ') : 'TRUE'
}
