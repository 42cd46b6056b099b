import { escapeIdentifier } from 'pg'
import type { Model } from '../../models/model.js'
import type { SourceTableDescription } from '../../source/describe.js'
import { qualifiedName } from '../../source/source-table.js'
import { renderColumns, type EngineValues } from './render-columns.js'
import { literalSql } from './text-sql.js'

/** Primary-key bounds as the text forms of the key columns (src/source/keys.ts), in key order. */
export interface KeyRange {
  /** Inclusive lower bound (row comparison on the key columns). @default unbounded */
  from?: readonly string[]
  /** Exclusive upper bound. @default unbounded */
  to?: readonly string[]
}

export interface RenderedCopy {
  /** `COPY (SELECT <TSV line> FROM … WHERE …) TO STDOUT (FORMAT binary)`: read it with `copyBinaryTextColumn`. */
  sql: string
  /** The insert's column list: `INSERT INTO t (<columns>) FORMAT TabSeparated`. */
  columns: string[]
}

/**
 * The COPY that streams a model's rows — all of them, or a primary-key range — already rendered as
 * ClickHouse TSV lines, with the model's `where`. Bounds are bound as literals by pg's `escapeLiteral`
 * and cast to the key columns' types (COPY takes no parameters). Throws `NotRenderable` when the
 * model needs the JS serializer.
 */
export function renderedRowsCopy(
  model: Model,
  description: SourceTableDescription,
  options: { engine?: EngineValues; range?: KeyRange } = {},
): RenderedCopy {
  const rendered = renderColumns(model, description, 't', options.engine)
  const conditions: string[] = []
  if (model.source.where) conditions.push(`(${model.source.where})`)
  const keys = description.primaryKey
  const tuple = `(${keys.map((column) => `t.${escapeIdentifier(column.name)}`).join(', ')})`
  const bound = (values: readonly string[]) => {
    if (values.length !== keys.length)
      throw new RangeError(`a key bound of ${model.importKey} needs ${keys.length} values, got ${values.length}`)
    return `(${values.map((value, index) => `${literalSql(value)}::${(keys[index] as { type: string }).type}`).join(', ')})`
  }
  if (options.range?.from) conditions.push(`${tuple} >= ${bound(options.range.from)}`)
  if (options.range?.to) conditions.push(`${tuple} < ${bound(options.range.to)}`)
  const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''
  return {
    sql: `COPY (SELECT ${rendered.line} FROM ${qualifiedName(model.source)} t${where}) TO STDOUT (FORMAT binary)`,
    columns: rendered.columns,
  }
}
