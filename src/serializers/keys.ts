import { ConfigError } from '../errors.js'

/**
 * The primary key of a source row, decoded into the PostgreSQL text form of each key column.
 *
 * Local copy of the rule `src/source/keys.ts` (the storage's) implements: a single-column key is the
 * column's `::text` form; a composite key is `JSON.stringify` of the array of text forms, e.g.
 * `["1","x"]`. To be replaced by an import of `decodeKey` from there once it lands.
 */
export function decodeKey(key: string, columns: readonly string[]): Record<string, string> {
  if (columns.length === 1) return { [columns[0] as string]: key }
  let parts: unknown
  try {
    parts = JSON.parse(key)
  } catch {
    parts = undefined
  }
  if (!Array.isArray(parts) || parts.length !== columns.length || !parts.every((part) => typeof part === 'string'))
    throw new ConfigError(
      `key ${JSON.stringify(key)} is not a composite key of (${columns.join(', ')}): expected a JSON array of ${columns.length} strings`,
    )
  return Object.fromEntries(columns.map((column, index) => [column, parts[index] as string]))
}
