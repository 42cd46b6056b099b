import { formatQueryParams } from '@clickhouse/client-common'
import type { ClickHouseDatabase } from '../clickhouse/client.js'
import { SchemaMismatchError } from '../errors.js'
import type { Model } from '../models/model.js'

/** A string as a SQL literal, escaped by @clickhouse/client (old servers take no query parameters). */
export function stringLiteral(value: string): string {
  return formatQueryParams({ value, wrapStringInQuotes: true, printNullAsKeyword: true })
}

/** Column name → type of a live table, in table order; empty when the table does not exist. */
export async function readLiveColumns(db: ClickHouseDatabase, table: string): Promise<Map<string, string>> {
  const result = await db.client.query({
    query:
      `SELECT name, type FROM system.columns WHERE database = ${stringLiteral(db.database)} ` +
      `AND table = ${stringLiteral(table)}`,
    format: 'JSONEachRow',
  })
  const rows = await result.json<{ name: string; type: string }>()
  return new Map(rows.map((row) => [row.name, row.type]))
}

/** Types compared as ClickHouse prints them, spacing aside (`Decimal(18,2)` = `Decimal(18, 2)`). */
export function sameType(a: string, b: string): boolean {
  return a.replace(/\s+/g, '') === b.replace(/\s+/g, '')
}

/** One way a live table differs from its model. */
export interface ColumnDifference {
  kind: 'missing' | 'type' | 'extra'
  column: string
  /** The model's type (absent for an extra live column). */
  expected?: string
  /** The live type (absent for a missing column). */
  actual?: string
}

/** The differences between a model and its live columns, in model order, then extra live columns. */
export function diffColumns(model: Model, live: ReadonlyMap<string, string>): ColumnDifference[] {
  const out: ColumnDifference[] = []
  for (const [column, field] of Object.entries(model.fields)) {
    const expected = field.toSQLType()
    const actual = live.get(column)
    if (actual === undefined) out.push({ kind: 'missing', column, expected })
    else if (!sameType(expected, actual)) out.push({ kind: 'type', column, expected, actual })
  }
  for (const [column, actual] of live) if (!(column in model.fields)) out.push({ kind: 'extra', column, actual })
  return out
}

function describeDifference(difference: ColumnDifference): string {
  switch (difference.kind) {
    case 'missing':
      return `column ${difference.column}: missing (expected ${difference.expected})`
    case 'type':
      return `column ${difference.column}: expected ${difference.expected}, actual ${difference.actual}`
    case 'extra':
      return `column ${difference.column}: not in the model (actual ${difference.actual})`
  }
}

/**
 * Checks a model's live table: throws `SchemaMismatchError` naming the table and every column that is
 * missing or has another type, with expected and actual types. Extra live columns are tolerated
 * (inserts name their columns), so a column can be dropped from the model before the table.
 */
export async function checkModel(db: ClickHouseDatabase, model: Model): Promise<void> {
  const live = await readLiveColumns(db, model.table)
  const context = { model: model.importKey, importKey: model.importKey, table: model.table }
  if (live.size === 0)
    throw new SchemaMismatchError(
      `table ${db.database}.${model.table} of model ${model.importKey} does not exist (run chsync migrate)`,
      context,
    )
  const problems = diffColumns(model, live).filter((difference) => difference.kind !== 'extra')
  if (problems.length === 0) return
  throw new SchemaMismatchError(
    `table ${db.database}.${model.table} does not match model ${model.importKey}: ${problems.map(describeDifference).join('; ')}`,
    { ...context, column: (problems[0] as ColumnDifference).column },
  )
}
