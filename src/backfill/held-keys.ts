import { escapeLiteral } from 'pg'
import { keySql } from '../source/keys.js'
import { qualifiedName, type Queryable, type SourceTable } from '../source/source-table.js'
import type { ModelRuntime } from '../sync/runtime.js'

/**
 * The keys of a range that ClickHouse already holds for a collapsing model (its state after FINAL,
 * read like a live round reads what it cancels): the copy leaves them out. `condition` selects the
 * range's rows of relation `t`.
 */
export async function heldKeys(
  db: Queryable,
  source: SourceTable,
  model: ModelRuntime,
  condition: string,
): Promise<string[]> {
  const filter = source.where ? ` AND (${source.where})` : ''
  const { rows } = await db.query<{ key: string }>(
    `SELECT ${keySql(source.primaryKey, 't')} AS key FROM ${qualifiedName(source)} t WHERE ${condition}${filter}`,
  )
  if (rows.length === 0) return []
  return [...(await model.readCurrentState(rows.map((row) => row.key))).keys()]
}

/**
 * `AND NOT (<key> = ANY('{…}'::text[]))` leaving out `keys`, for a COPY (which takes no bind
 * parameters): each key is quoted as an array element (`"` and `\` escaped), the array literal by
 * pg's `escapeLiteral`.
 */
export function excludeKeysSql(source: SourceTable, keys: readonly string[]): string {
  if (keys.length === 0) return ''
  const elements = keys.map((key) => `"${key.replace(/[\\"]/g, (char) => `\\${char}`)}"`)
  return ` AND NOT (${keySql(source.primaryKey, 't')} = ANY(${escapeLiteral(`{${elements.join(',')}}`)}::text[]))`
}
