import { escapeIdentifier } from 'pg'
import { PoisonRowError } from '../errors.js'

/**
 * Primary keys as the storages hold them: one string per source row, produced identically by Node
 * (`encodeKey`) and by PostgreSQL (`keySql`, used by capture triggers and by the row fetch).
 *
 * - One column: the value's PostgreSQL text form, `col::text` (`42`, `it's`, `2024-01-01`).
 * - Several columns: `JSON.stringify` of the text forms, `["1","x"]`, which is byte for byte what
 *   PostgreSQL prints for `to_json(ARRAY[a::text, b::text])::text` (no spaces; both escape `"`, `\`
 *   and control characters the same way, lowercase `\u00xx`; non-ASCII passes through).
 *
 * The text form must be canonical (what PostgreSQL prints, e.g. `1` not `01` for an integer):
 * rows fetched by key are matched by the key PostgreSQL computes.
 */

/** A key column value: its PostgreSQL text form, or a number / bigint that prints the same way. */
export type KeyValue = string | number | bigint

function textForm(value: KeyValue): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new PoisonRowError(`Primary key value ${value} has no PostgreSQL text form that matches a row`)
  }
  return String(value)
}

/** The storage key for one row, given its primary key values in primary-key column order. */
export function encodeKey(values: readonly KeyValue[]): string {
  if (values.length === 0) throw new PoisonRowError('A primary key needs at least one value')
  if (values.length === 1) return textForm(values[0] as KeyValue)
  return JSON.stringify(values.map(textForm))
}

/**
 * The text forms of a key's columns. A malformed key is a `PoisonRowError`: it can only come from
 * a registration that bypassed `encodeKey`, and retrying cannot repair it, so the round parks it.
 */
export function decodeKey(key: string, columnCount: number): string[] {
  if (columnCount === 1) return [key]
  let parsed: unknown
  try {
    parsed = JSON.parse(key)
  } catch (error) {
    throw new PoisonRowError(`Composite key ${JSON.stringify(key)} is not a JSON array`, {}, { cause: error })
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== columnCount ||
    !parsed.every((part): part is string => typeof part === 'string')
  ) {
    throw new PoisonRowError(`Composite key ${JSON.stringify(key)} is not an array of ${columnCount} strings`)
  }
  return parsed
}

/** A key's text forms by primary-key column name. */
export function decodeKeyColumns(key: string, primaryKey: readonly string[]): Record<string, string> {
  const parts = decodeKey(key, primaryKey.length)
  return Object.fromEntries(primaryKey.map((column, index) => [column, parts[index] as string]))
}

/**
 * The SQL expression computing the storage key of a row, for the given primary-key columns of the
 * relation `alias` (already an SQL identifier or transition table name, e.g. `t`, `NEW`).
 */
export function keySql(primaryKey: readonly string[], alias: string): string {
  const texts = primaryKey.map((column) => `${alias}.${escapeIdentifier(column)}::text`)
  return texts.length === 1 ? (texts[0] as string) : `to_json(ARRAY[${texts.join(', ')}])::text`
}
