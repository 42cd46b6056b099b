import { escapeIdentifier } from 'pg'
import { decodeKey, keySql } from './keys.js'
import { describeSourceTable, type SourceColumn } from './describe.js'
import { displayName, qualifiedName, type Queryable, type SourceTable } from './source-table.js'
import { PoisonRowError, SchemaMismatchError, messageOf } from '../errors.js'

/** Result column carrying the computed key; a name no real column plausibly has. */
const KEY_COLUMN = 'chsync:key'

/**
 * Primary-key column types per connection pool and table, looked up once: a fetch is then exactly
 * one query. A changed key type needs a restart, as a changed model would.
 */
const typeCache = new WeakMap<object, Map<string, Promise<SourceColumn[]>>>()

function primaryKeyTypes(db: Queryable, source: SourceTable): Promise<SourceColumn[]> {
  let perDb = typeCache.get(db)
  if (!perDb) {
    perDb = new Map<string, Promise<SourceColumn[]>>()
    typeCache.set(db, perDb)
  }
  const cacheKey = `${qualifiedName(source)}(${source.primaryKey.map(escapeIdentifier).join(',')})`
  let types = perDb.get(cacheKey)
  if (!types) {
    types = describeSourceTable(db, source).then((description) => description.primaryKey)
    // A failed lookup (table not created yet) must not stick.
    const cached = perDb
    types.catch(() => cached.delete(cacheKey))
    perDb.set(cacheKey, types)
  }
  return types
}

/**
 * Reads the current rows for encoded keys in ONE query: `= ANY($1::type[])` for a one-column key,
 * a join on `unnest($1::t1[], $2::t2[], …)` for a composite one. The result is keyed by the key
 * PostgreSQL computes with the same expression the capture triggers use, so encodings agree; a
 * key without a row (deleted, or filtered out by `where`) is simply absent.
 */
export async function fetchRowsByKeys<Row extends Record<string, unknown> = Record<string, unknown>>(
  db: Queryable,
  source: SourceTable,
  keys: readonly string[],
): Promise<Map<string, Row>> {
  const rows = new Map<string, Row>()
  if (keys.length === 0) return rows
  const columns = await primaryKeyTypes(db, source)
  const where = source.where ? ` AND (${source.where})` : ''
  let text: string
  let values: unknown[]
  if (columns.length === 1) {
    const [column] = columns as [SourceColumn]
    text =
      `SELECT ${keySql(source.primaryKey, 't')} AS ${escapeIdentifier(KEY_COLUMN)}, t.* FROM ${qualifiedName(source)} t` +
      ` WHERE t.${escapeIdentifier(column.name)} = ANY($1::${column.type}[])${where}`
    values = [keys]
  } else {
    const parts = columns.map(() => [] as string[])
    for (const key of keys) decodeKey(key, columns.length).forEach((part, index) => parts[index]?.push(part))
    const unnest = columns.map((column, index) => `$${index + 1}::${column.type}[]`).join(', ')
    const aliases = columns.map((_, index) => `k${index}`)
    const on = columns.map((column, index) => `t.${escapeIdentifier(column.name)} = k.${aliases[index]}`).join(' AND ')
    text =
      `SELECT ${keySql(source.primaryKey, 't')} AS ${escapeIdentifier(KEY_COLUMN)}, t.* FROM ${qualifiedName(source)} t` +
      ` JOIN unnest(${unnest}) AS k(${aliases.join(', ')}) ON ${on}${where ? ` WHERE TRUE${where}` : ''}`
    values = parts
  }
  const result = await db.query<Row & { [KEY_COLUMN]: string }>(text, values).catch((error: unknown) => {
    // Class 22 (data exception): a key that is not a value of its column's type ('abc' for an
    // integer key). Only a registration that bypassed encodeKey and the triggers produces one, and
    // no retry can fix it.
    if (/^22/.test((error as { code?: string }).code ?? '')) {
      throw new PoisonRowError(
        `A key of the batch is not a valid primary key of ${displayName(source)}: ${messageOf(error)}`,
        {
          table: displayName(source),
        },
        { cause: error },
      )
    }
    // Class 42 (syntax error or access rule violation): the table, a column or a right is gone, or
    // the model's own `where` is broken. Retrying cannot fix it: the model blocks until it is fixed.
    if (/^42/.test((error as { code?: string }).code ?? '')) {
      const filter = source.where ? ` (model where: ${source.where})` : ''
      throw new SchemaMismatchError(
        `Reading rows of ${displayName(source)}${filter} failed: ${messageOf(error)}`,
        { table: displayName(source) },
        { cause: error },
      )
    }
    throw error
  })
  for (const { [KEY_COLUMN]: key, ...row } of result.rows) rows.set(key, row as unknown as Row)
  return rows
}
