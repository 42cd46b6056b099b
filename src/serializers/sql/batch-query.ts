import { escapeIdentifier } from 'pg'
import type { Field } from '../../models/fields/common.js'
import type { Model } from '../../models/model.js'
import type { SourceTableDescription } from '../../source/describe.js'
import { qualifiedName } from '../../source/source-table.js'
import type { Operation } from '../../storages/storage.js'
import { needsCurrentState } from '../serialize-batch.js'
import { constantSql, engineColumnsOf, lineSql, renderColumns, type LinePart } from './render-columns.js'
import { NotRenderable, renderField } from './render-field.js'
import { literalSql } from './text-sql.js'

/**
 * One query per model, compiled once, that turns a claimed batch into the model's TSV lines: the
 * operations `(key, seq)` are joined (in claim order, `WITH ORDINALITY`) to the source table, and
 * each one yields at most one line, exactly as `serializeBatch` would serialize it: the source row
 * decides, whatever the kind — the row with version = seq (or the model's version column) and
 * is_deleted = 0; or, when the row is gone, the tombstone built from the key (ReplacingMergeTree with is_deleted),
 * nothing (`deletes: 'ignore'`), or a refusal the caller turns into the same `ConfigError`.
 * Output fields, via COPY BINARY: the operation's position (int4, from 1), whether its source row
 * was found (bool), and its line (text, NULL when it makes no row).
 */
export interface BatchQuery {
  /** The insert's column list. */
  columns: string[]
  /** Whether a delete (or an update whose row is gone) is refused: the engine cannot express it. */
  refusesDeletes: boolean
  /** The COPY statement for these operations (in claim order). */
  sql(operations: readonly Operation[]): string
}

const OP = '"chsync:op"'
const POSITION = '"chsync:i"'

/** Throws `NotRenderable` when the model needs ClickHouse's state or JavaScript. */
export function compileBatchQuery(model: Model, description: SourceTableDescription): BatchQuery {
  if (needsCurrentState(model))
    throw new NotRenderable('deletes need the rows ClickHouse holds (collapsing engine, or a tombstone beyond the key)')
  const key = `(o.${OP}->>0)`
  const seq = `(o.${OP}->>1)::bigint`
  const rendered = renderColumns(model, description, 't', { version: seq, isDeleted: 'false', sign: '1' })
  const keys = description.primaryKey
  const keyPart = (index: number) =>
    `${keys.length === 1 ? key : `(${key}::json->>${index})`}::${(keys[index] as { type: string }).type}`
  const join = keys.map((column, index) => `t.${escapeIdentifier(column.name)} = ${keyPart(index)}`).join(' AND ')
  const found = `t.${escapeIdentifier((keys[0] as { name: string }).name)} IS NOT NULL`
  const { version, isDeleted } = engineColumnsOf(model)
  let missing = 'NULL::text'
  if (isDeleted !== undefined && version !== undefined) {
    // The tombstone of keyRow: key columns from the key, the rest its default or an empty value.
    const parts = rendered.columns.map((name): LinePart => {
      const field = model.fields[name] as Field
      const type = field.toSQLType()
      const from = (sql: string, source: { type: string; category?: string }) => ({
        name,
        type,
        expression: renderField(field, { ...source, sql, nullable: false }, 'escaped', name),
        value: `${sql}::text`,
      })
      if (name === version) return from(seq, { type: 'bigint' })
      if (name === isDeleted) return { name, type, expression: `'1'`, value: `'1'` }
      const index = keys.findIndex((column) => model.fieldForSourceColumn(column.name) === name)
      const column = keys[index]
      if (column) return from(keyPart(index), column)
      if (field.options.defaultSQL !== undefined)
        throw new NotRenderable(`column ${name}: a tombstone leaves it to its DEFAULT expression, which TSV cannot`)
      const constant = constantSql(field, field.options.default ?? field.emptyValue(), name)
      return { name, type, expression: constant, value: constant }
    })
    missing = lineSql(parts)
  }
  const refusesDeletes = missing === 'NULL::text' && model.deletes !== 'ignore'
  const where = model.source.where ? ` AND (${model.source.where})` : ''
  return {
    columns: rendered.columns,
    refusesDeletes,
    sql(operations) {
      const ops = JSON.stringify(operations.map((op) => [op.key, String(op.seq)]))
      return (
        `COPY (SELECT o.${POSITION}::int4, ${found}, CASE WHEN ${found} THEN ${rendered.line} ELSE ${missing} END ` +
        `FROM json_array_elements(${literalSql(ops)}::json) WITH ORDINALITY AS o(${OP}, ${POSITION}) ` +
        `LEFT JOIN ${qualifiedName(model.source)} t ON ${join}${where} ` +
        `ORDER BY o.${POSITION}) TO STDOUT (FORMAT binary)`
      )
    },
  }
}
