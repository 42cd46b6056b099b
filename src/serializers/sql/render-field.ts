import type { Field } from '../../models/fields/common.js'
import type { ArrayField } from '../../models/fields/array.js'
import type { DateField } from '../../models/fields/date.js'
import type { DateTime64Field, DateTimeField } from '../../models/fields/datetime.js'
import type { DecimalField } from '../../models/fields/decimal.js'
import type { EnumField } from '../../models/fields/enum.js'
import type { FloatField } from '../../models/fields/float.js'
import type { FixedStringField } from '../../models/fields/string.js'
import type { IntField } from '../../models/fields/int.js'
import type { IPField } from '../../models/fields/ip.js'
import type { LowCardinalityField, NullableField } from '../../models/fields/common.js'
import { literalSql, nullSql, stringSql, type TextContext } from './text-sql.js'

/**
 * Per field family, the SQL expression that prints a source value as ClickHouse reads it in a TSV
 * field (or inside an array), with the same checks and the same text as the JavaScript serializer
 * (src/models/fields/*) gives for the value `pg` returns for that PostgreSQL type. A value that does
 * not fit renders as NULL — no value that fits ever does — which src/serializers/sql/render-columns.ts
 * turns into a line ClickHouse rejects (the bisector parks it). A pairing of field and PostgreSQL type
 * not listed here throws `NotRenderable`: the model keeps the JS path.
 */

/** An SQL value to render: its expression and PostgreSQL type as `describeSourceTable` reports them. */
export interface SqlSource {
  sql: string
  /** `format_type` name, e.g. `bigint`, `real[]`, `timestamp with time zone`. */
  type: string
  /** `pg_type.typcategory` (`E` for enums). @default '' */
  category?: string
  /** Whether the value can be NULL (a nullable column, an array element). */
  nullable: boolean
}

/** The field/type pairing has no SQL rendering (yet): the model is serialized in JavaScript. */
export class NotRenderable extends Error {
  override name = 'NotRenderable'
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
}
const TEXT_TYPES = new Set(['text', 'character varying'])
const FLOAT_TYPES = new Set(['real', 'double precision'])

/** Renders `value` for `field` in `context`: NULL exactly when the value does not fit. `column` names it in errors. */
export function renderField(field: Field, value: SqlSource, context: TextContext, column: string): string {
  if (field.kind === 'nullable') {
    const inner = renderField((field as NullableField).inner, { ...value, nullable: false }, context, column)
    return value.nullable ? `CASE WHEN ${value.sql} IS NULL THEN ${nullSql(context)} ELSE ${inner} END` : inner
  }
  if (field.kind === 'lowCardinality') return renderField((field as LowCardinalityField).inner, value, context, column)
  const present = renderPresent(field, value, context, column)
  if (!value.nullable) return present
  // NULL into a non-Nullable column does not fit: checked here, as `present` may print something for NULL.
  return `CASE WHEN ${value.sql} IS NOT NULL THEN ${present} END`
}

function unsupported(field: Field, value: SqlSource, column: string): never {
  throw new NotRenderable(`column ${column}: ${field.toSQLType()} from PostgreSQL ${value.type} has no SQL rendering`)
}

/** A value known not to be NULL. */
function renderPresent(field: Field, value: SqlSource, context: TextContext, column: string): string {
  const v = value.sql
  switch (field.kind) {
    case 'int':
      return renderInt(field as IntField, value) ?? unsupported(field, value, column)
    case 'float':
      return renderFloat(field as FloatField, value) ?? unsupported(field, value, column)
    case 'decimal': {
      const { precision, scale } = field as DecimalField
      if (value.type !== 'numeric' && !(value.type in INT_RANGES)) unsupported(field, value, column)
      const n = `${v}::numeric`
      // As the JS serializer: trailing fraction zeros do not count; more digits than fit are refused.
      return (
        `CASE WHEN scale(trim_scale(${n})) <= ${scale} AND abs(${n}) < ${literalSql(`1e${precision - scale}`)}::numeric ` +
        `THEN trim_scale(${n})::text ELSE NULL END`
      )
    }
    case 'bool':
      if (value.type === 'boolean') return `CASE WHEN ${v} THEN 'true' ELSE 'false' END`
      if (value.type in INT_RANGES) return `CASE ${v} WHEN 1 THEN 'true' WHEN 0 THEN 'false' ELSE NULL END`
      return unsupported(field, value, column)
    case 'string':
    case 'fixedString': {
      const text = textOf(value)
      if (text === undefined) return unsupported(field, value, column)
      if (field.kind === 'string') return stringSql(text, context)
      const { length } = field as FixedStringField
      return `CASE WHEN octet_length(${text}) <= ${length} THEN ${stringSql(text, context)} ELSE NULL END`
    }
    case 'uuid':
      if (value.type !== 'uuid') return unsupported(field, value, column)
      return stringSql(`${v}::text`, context)
    case 'date':
      return renderDate(field as DateField, value, context) ?? unsupported(field, value, column)
    case 'dateTime':
      return renderDateTime(field as DateTimeField, value, context) ?? unsupported(field, value, column)
    case 'dateTime64':
      return renderDateTime64(field as DateTime64Field, value, context) ?? unsupported(field, value, column)
    case 'enum':
      return renderEnum(field as EnumField, value, context) ?? unsupported(field, value, column)
    case 'ip':
      return renderIp(field as IPField, value, context) ?? unsupported(field, value, column)
    case 'array':
      return renderArray(field as ArrayField, value, column)
    default:
      // Map and Tuple: pg hands them over as jsonb or arrays whose JS conversion has no SQL twin yet.
      return unsupported(field, value, column)
  }
}

/** The value as text for a String column, for the types whose text equals what `String(value)` gives in JS. */
function textOf(value: SqlSource): string | undefined {
  if (TEXT_TYPES.has(value.type)) return value.sql
  if (value.type in INT_RANGES || ['numeric', 'boolean', 'uuid'].includes(value.type)) return `${value.sql}::text`
  return undefined
}

function renderInt(field: IntField, value: SqlSource): string | undefined {
  const v = value.sql
  const range = `${v} BETWEEN ${field.min} AND ${field.max}`
  const own = INT_RANGES[value.type]
  if (own) {
    if (own[0] >= field.min && own[1] <= field.max) return `${v}::text`
    return `CASE WHEN ${range} THEN ${v}::text ELSE NULL END`
  }
  // pg returns numeric as text, and the JS serializer takes only plain integer text ('5', not '5.0').
  if (value.type === 'numeric') return `CASE WHEN scale(${v}) = 0 AND ${range} THEN ${v}::text ELSE NULL END`
  if (value.type === 'boolean') return `CASE WHEN ${v} THEN '1' ELSE '0' END`
  if (FLOAT_TYPES.has(value.type))
    return (
      `CASE WHEN ${v} = trunc(${v}) AND abs(${v}) <= 9007199254740991 AND ${range} ` +
      `THEN ${v}::bigint::text ELSE NULL END`
    )
  return undefined
}

/**
 * Floats as the shortest text that reads back as the same value (PostgreSQL's float output since 12,
 * as JavaScript prints them), exponents rewritten as plain decimals through numeric (18.16 misreads
 * exponents: src/clickhouse/plain-numbers.ts); NaN and infinities as ClickHouse spells them.
 */
function renderFloat(field: FloatField, value: SqlSource): string | undefined {
  let text: string
  if (FLOAT_TYPES.has(value.type) || value.type === 'smallint' || value.type === 'integer') text = `${value.sql}::text`
  // pg returns int8 and numeric as text, which JS turns into the nearest double.
  else if (value.type === 'bigint' || value.type === 'numeric') text = `${value.sql}::float8::text`
  else return undefined
  const printed =
    `CASE WHEN strpos(${text}, 'e') > 0 THEN ${text}::numeric::text ELSE ` +
    `(CASE ${text} WHEN 'NaN' THEN 'nan' WHEN 'Infinity' THEN 'inf' WHEN '-Infinity' THEN '-inf' WHEN '-0' THEN '0' ELSE ${text} END) END`
  if (field.bits === 64 || value.type === 'real' || value.type === 'smallint') return printed
  // NaN compares above every number in PostgreSQL, and NaN and infinities pass as themselves.
  const tooLarge = `abs(${value.sql}::float8) > 3.4028234663852886e38 AND abs(${value.sql}::float8) <> 'Infinity'::float8 AND ${value.sql}::float8 <> 'NaN'::float8`
  return `CASE WHEN ${tooLarge} THEN NULL ELSE ${printed} END`
}

/** ClickHouse reads quoted dates and times inside arrays; a TSV field takes them bare. */
function inContext(text: string, context: TextContext): string {
  return context === 'escaped' ? text : `('''' || ${text} || '''')`
}

/** The instant of a timestamp (without time zone: read as UTC, as pg does in a worker running in UTC). */
function instantOf(value: SqlSource): string | undefined {
  if (value.type === 'timestamp with time zone') return value.sql
  if (value.type === 'timestamp without time zone') return `(${value.sql} AT TIME ZONE 'UTC')`
  return undefined
}

function renderDate(field: DateField, value: SqlSource, context: TextContext): string | undefined {
  let day: string
  if (value.type === 'date') day = value.sql
  else {
    const instant = instantOf(value)
    if (instant === undefined) return undefined
    day = `(${instant} AT TIME ZONE 'UTC')::date`
  }
  const [min, max] = field.type === 'Date' ? ['1970-01-01', '2149-06-06'] : ['1900-01-01', '2299-12-31']
  return (
    `CASE WHEN ${day} BETWEEN '${min}'::date AND '${max}'::date THEN ${inContext(`to_char(${day}, 'YYYY-MM-DD')`, context)} ` +
    `ELSE NULL END`
  )
}

/**
 * DateTime as unix seconds (the form every server reads alike whatever the column's time zone) from
 * 2001-09-09 on; before, wall-clock text in the column's time zone (UTC when it names none), because
 * in TSV ClickHouse 26.x reads a short digit string ("0", "86400") as a date, not as seconds.
 */
function renderDateTime(field: DateTimeField, value: SqlSource, context: TextContext): string | undefined {
  if (context === 'quoted') return undefined
  let instant: string
  if (value.type === 'smallint' || value.type === 'integer') instant = `to_timestamp(${value.sql})`
  else {
    const from = instantOf(value)
    if (from === undefined) return undefined
    instant = from
  }
  // Bounds compared as timestamps (cheap); epoch seconds from date_part (float8: exact to the second
  // in this range, and far cheaper than extract's numeric).
  const wallClock = `to_char(${instant} AT TIME ZONE ${literalSql(field.timezone ?? 'UTC')}, 'YYYY-MM-DD HH24:MI:SS')`
  return (
    `CASE WHEN ${instant} >= '2001-09-09 01:46:40+00'::timestamptz AND ${instant} < '2106-02-07 06:28:16+00'::timestamptz ` +
    `THEN floor(date_part('epoch', ${instant}))::bigint::text ` +
    `WHEN ${instant} >= '1970-01-01 00:00:00+00'::timestamptz AND ${instant} < '2001-09-09 01:46:40+00'::timestamptz THEN ${wallClock} END`
  )
}

/**
 * DateTime64(P): `<unix seconds>.<P digits>` from 2001-09-09 on, wall-clock text in the column's
 * time zone before (ClickHouse misreads short or negative unix times), as the JS serializer sends.
 * The fraction is the timestamp's own microseconds, truncated to P digits.
 */
function renderDateTime64(field: DateTime64Field, value: SqlSource, context: TextContext): string | undefined {
  const instant = instantOf(value)
  if (instant === undefined) return undefined
  const seconds = `floor(extract(epoch FROM ${instant}))::bigint`
  const digits = field.precision
  const fraction =
    digits === 0
      ? `''`
      : `'.' || ${digits <= 6 ? `left(to_char(${instant}, 'US'), ${digits})` : `to_char(${instant}, 'US') || '${'0'.repeat(digits - 6)}'`}`
  const zone = literalSql(field.timezone ?? 'UTC')
  const wallClock = `to_char(${instant} AT TIME ZONE ${zone}, 'YYYY-MM-DD HH24:MI:SS')`
  const text = `(CASE WHEN ${seconds} >= 1000000000 THEN ${seconds}::text ELSE ${wallClock} END || ${fraction})`
  return (
    `CASE WHEN ${instant} BETWEEN '1900-01-01 00:00:00+00'::timestamptz AND '2299-12-31 23:59:59.999999+00'::timestamptz ` +
    `THEN ${inContext(text, context)} ELSE NULL END`
  )
}

function renderEnum(field: EnumField, value: SqlSource, context: TextContext): string | undefined {
  const entries = Object.entries(field.values)
  const name = (label: string) => stringSql(literalSql(label), context)
  if (TEXT_TYPES.has(value.type) || value.category === 'E') {
    const cases = entries.map(([label]) => `WHEN ${literalSql(label)} THEN ${name(label)}`).join(' ')
    return `CASE ${value.sql}::text ${cases} ELSE NULL END`
  }
  if (value.type === 'smallint' || value.type === 'integer') {
    const cases = entries.map(([label, number]) => `WHEN ${number} THEN ${name(label)}`).join(' ')
    return `CASE ${value.sql} ${cases} ELSE NULL END`
  }
  return undefined
}

/** inet as the JS serializer reads it: one address (host prefix only), IPv4 into IPv6 as `::ffff:a.b.c.d`. */
function renderIp(field: IPField, value: SqlSource, context: TextContext): string | undefined {
  if (value.type !== 'inet') return undefined
  const v = value.sql
  const v4 = `family(${v}) = 4 AND masklen(${v}) = 32`
  if (field.version === 4) return `CASE WHEN ${v4} THEN ${inContext(`host(${v})`, context)} ELSE NULL END`
  return (
    `CASE WHEN ${v4} THEN ${inContext(`'::ffff:' || host(${v})`, context)} ` +
    `WHEN family(${v}) = 6 AND masklen(${v}) = 128 THEN ${inContext(`host(${v})`, context)} ELSE NULL END`
  )
}

/**
 * A one-dimensional PostgreSQL array as `[e1,e2,…]`, each element rendered quoted. Arrays of numbers
 * whose PostgreSQL text needs no rewriting (no exponent, NULL, NaN or infinity — embeddings, mostly)
 * take a fast path: their text with brackets for braces.
 */
function renderArray(field: ArrayField, value: SqlSource, column: string): string {
  if (!value.type.endsWith('[]') || value.type.endsWith('[][]')) unsupported(field, value, column)
  const v = value.sql
  const elementType = value.type.slice(0, -2)
  // One alias is enough: an element type is never itself an array (PostgreSQL arrays are flat).
  const alias = '"chsync:e"'
  const element = renderField(field.inner, { sql: `${alias}.v`, type: elementType, nullable: true }, 'quoted', column)
  // string_agg skips NULLs: an element that does not fit must make the whole array NULL.
  const general =
    `(SELECT CASE WHEN count(x) = count(*) THEN '[' || coalesce(string_agg(x, ',' ORDER BY n), '') || ']' END ` +
    `FROM (SELECT ${element} AS x, ${alias}.n FROM unnest(${v}) WITH ORDINALITY AS ${alias}(v, n)) "chsync:a")`
  let rendered = general
  const inner = field.inner.kind === 'lowCardinality' ? (field.inner as LowCardinalityField).inner : field.inner
  const plainNumbers =
    // Float32 from double precision is range-checked element by element, so it takes the general path.
    (inner.kind === 'float' &&
      (elementType === 'real' || (inner as FloatField).bits === 64) &&
      FLOAT_TYPES.has(elementType)) ||
    (inner.kind === 'int' && renderInt(inner as IntField, { ...value, type: elementType }) === `${v}::text`)
  if (plainNumbers) {
    // The array's text is computed once per row (OFFSET 0 keeps PostgreSQL from inlining it back into
    // each use): printing 384 floats costs more than the rest of the row. 'N' (NULL, NaN) and 'I'
    // (Infinity) take the general path; exponents are rewritten through numeric[], which parses each
    // element's text exactly and prints it without exponent.
    rendered =
      `(SELECT CASE WHEN strpos(x, 'N') = 0 AND strpos(x, 'I') = 0 THEN translate(CASE WHEN strpos(x, 'e') = 0 ` +
      `THEN x ELSE x::numeric[]::text END, '{}', '[]') ELSE ${general} END FROM (SELECT ${v}::text AS x OFFSET 0) "chsync:t")`
  }
  const { dimension } = field.arrayOptions
  const shape = `coalesce(array_ndims(${v}), 1) = 1`
  const length = dimension === undefined ? '' : ` AND cardinality(${v}) = ${dimension}`
  return `CASE WHEN ${shape}${length} THEN ${rendered} END`
}
