import { escapeIdentifier } from 'pg'
import { ConfigError } from '../../errors.js'
import { isDeletedColumnOf, signColumnOf, versionColumnOf } from '../../models/engines/index.js'
import type { ClickHouseValue, Field } from '../../models/fields/common.js'
import type { Model } from '../../models/model.js'
import { plainDecimal } from '../../clickhouse/plain-numbers.js'
import { wallClockText } from '../../models/fields/time.js'
import type { SourceColumn, SourceTableDescription } from '../../source/describe.js'
import { NotRenderable, renderField, type SqlSource } from './render-field.js'
import { literalSql, rejectedLineSql, type TextContext } from './text-sql.js'

/**
 * A model's rows as PostgreSQL prints them in ClickHouse's TabSeparated input form: one SQL text
 * expression per ClickHouse column, compiled once from the model and the source table's catalog
 * types. Same mapping as the JS serializer (src/serializers/row.ts): each field from its namesake
 * or renamed source column; a column the source table lacks takes the field's default, or is left
 * out of the insert for the server's DEFAULT expression; version, sign and is_deleted from
 * `EngineValues`.
 */

/** SQL for the engine columns chsync fills itself, as the caller knows them (claimed operations, a backfill). */
export interface EngineValues {
  /**
   * An SQL `bigint` expression: the version, when the model takes it from the storage's sequences
   * (with `model.version` it comes from that source column and this is ignored). Required then.
   */
  version?: string
  /** An SQL boolean expression: is_deleted. @default false */
  isDeleted?: string
  /** An SQL integer expression, 1 or -1: the sign of a collapsing engine. @default 1 */
  sign?: string
}

export interface RenderedColumns {
  /** The ClickHouse columns, in TSV field order: the insert's column list. */
  columns: string[]
  /** Per column (same order), an SQL text expression of the field as ClickHouse reads it; NULL for a misfit. */
  expressions: string[]
  /**
   * One whole TSV line ending in a line feed: the expressions joined by tabs, or, when one is NULL, a
   * line ClickHouse refuses that names the misfits (`rejectedLineSql`). Never NULL.
   */
  line: string
}

/** Where a field's value comes from when rendering rows of the source table. */
function sourceColumnOf(model: Model, name: string): string {
  const mapping = model.columns[name]
  if (typeof mapping === 'function')
    throw new NotRenderable(`column ${name} is computed in JavaScript (columns.${name} is a function)`)
  return mapping ?? name
}

/** The engine columns chsync fills, which are never mapped from the source. */
export function engineColumnsOf(model: Model): { version?: string; sign?: string; isDeleted?: string } {
  const { engine } = model
  return { version: versionColumnOf(engine), sign: signColumnOf(engine), isDeleted: isDeletedColumnOf(engine) }
}

/**
 * Renders the model's columns from the source row under `sourceAlias` (an SQL alias of the source
 * table, e.g. `t`). Throws `NotRenderable` (with the reason) when the model needs the JS serializer,
 * and `ConfigError` — the error the JS serializer gives for every row — for a field whose source
 * column does not exist and that has no default.
 */
export function renderColumns(
  model: Model,
  description: SourceTableDescription,
  sourceAlias: string,
  engine: EngineValues = {},
): RenderedColumns {
  if (model.serializer) throw new NotRenderable('the model has a whole-row serializer (JavaScript)')
  const byName = new Map(description.columns.map((column) => [column.name, column]))
  const managed = engineColumnsOf(model)
  const parts: LinePart[] = []
  const source = (column: SourceColumn): SqlSource => ({
    sql: `${sourceAlias}.${escapeIdentifier(column.name)}`,
    type: column.type,
    category: column.category,
    nullable: column.nullable,
  })
  for (const [name, field] of Object.entries(model.fields)) {
    const type = field.toSQLType()
    const rendered = (value: SqlSource): LinePart => ({
      name,
      type,
      expression: renderField(field, value, 'escaped', name),
      value: `${value.sql}::text`,
    })
    const constant = (sql: string): LinePart => ({ name, type, expression: sql, value: sql })
    if (name === managed.version) {
      if (model.version) {
        const column = byName.get(model.version.column)
        if (!column) throw missingColumn(model, name, model.version.column)
        parts.push(rendered(source(column)))
      } else {
        if (engine.version === undefined) throw new Error(`renderColumns of ${model.importKey} needs engine.version`)
        parts.push(rendered({ sql: `(${engine.version})`, type: 'bigint', nullable: false }))
      }
    } else if (name === managed.sign) parts.push(constant(`(${engine.sign ?? '1'})::text`))
    else if (name === managed.isDeleted)
      parts.push(
        constant(engine.isDeleted === undefined ? `'0'` : `CASE WHEN ${engine.isDeleted} THEN '1' ELSE '0' END`),
      )
    else {
      const columnName = sourceColumnOf(model, name)
      const column = byName.get(columnName)
      if (column) parts.push(rendered(source(column)))
      else if (field.options.defaultSQL !== undefined) continue
      else if (field.options.default !== undefined)
        parts.push(constant(constantSql(field, field.options.default, name)))
      else throw missingColumn(model, name, columnName)
    }
  }
  return { columns: parts.map((p) => p.name), expressions: parts.map((p) => p.expression), line: lineSql(parts) }
}

/** A column of a line: its rendered expression (NULL for a misfit) and the value's text, for the refusal. */
export interface LinePart {
  name: string
  /** The ClickHouse type, for the refusal's message. */
  type: string
  expression: string
  value: string
}

/** The TSV line of the parts, or the refused line when one of them does not fit. */
export function lineSql(parts: readonly LinePart[]): string {
  const fields = parts.map((p) => p.expression).join(` || E'\\t' || `)
  return `coalesce(${fields}, ${rejectedLineSql(parts)}) || E'\\n'`
}

function missingColumn(model: Model, name: string, column: string): ConfigError {
  return new ConfigError(
    `render ${model.table}.${name} for ${model.importKey}: the source table has no column ${column} ` +
      '(map it in columns, or give the field a default)',
    { model: model.importKey, importKey: model.importKey, table: model.table, column: name },
  )
}

/** A constant value (a field default, an empty value) as an SQL literal of its ClickHouse text. */
export function constantSql(field: Field, value: ClickHouseValue, column: string): string {
  return literalSql(constantText(field, value, 'escaped', column))
}

/** From here on (2001-09-09) unix seconds have ten digits, which ClickHouse never mistakes for a date. */
const UNAMBIGUOUS_UNIX_SECONDS = 1_000_000_000

const BARE_KINDS = new Set(['int', 'float', 'decimal', 'bool', 'dateTime'])

/** The ClickHouse text of a value as the JS serializer holds it (`Field.toClickHouse`'s result). */
function constantText(field: Field, value: ClickHouseValue, context: TextContext, column: string): string {
  if (value === null) return context === 'escaped' ? '\\N' : 'NULL'
  if (field.kind === 'nullable' || field.kind === 'lowCardinality')
    return constantText((field as Field & { inner: Field }).inner, value, context, column)
  if (field.kind === 'array' && Array.isArray(value)) {
    const inner = (field as Field & { inner: Field }).inner
    return `[${value.map((item) => constantText(inner, item, 'quoted', column)).join(',')}]`
  }
  if (typeof value === 'object')
    throw new NotRenderable(`column ${column}: a ${field.toSQLType()} constant has no SQL rendering`)
  // As renderDateTime: short unix times are misread in TSV, so they go as wall-clock text.
  if (field.kind === 'dateTime' && typeof value === 'number' && value < UNAMBIGUOUS_UNIX_SECONDS)
    return wallClockText(value, (field as Field & { timezone?: string }).timezone ?? 'UTC')
  if (typeof value === 'number') return plainDecimal(String(value))
  const text = String(value)
  if (BARE_KINDS.has(field.kind)) return text
  const escaped = text.replace(
    /[\\\t\n\r]/g,
    (char) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[char] ?? char,
  )
  return context === 'escaped' ? escaped : `'${escaped.replace(/'/g, "\\'")}'`
}
