import { ConfigError } from '../errors.js'
import { displayName, qualifiedName, type Queryable, type SourceTable } from './source-table.js'

export interface SourceColumn {
  name: string
  /** `format_type` without modifier (`integer`, `character varying`, `public.mood`): usable as `$1::<type>[]`. */
  type: string
  /** `format_type` with modifier (`character varying(20)`, `numeric(10,2)`), for messages and checks. */
  fullType: string
  nullable: boolean
  /** `pg_type.typcategory` of the column's type (`E` enum, `A` array, `N` numeric, …): SQL rendering needs it. */
  category: string
}

export interface SourceTableDescription {
  schema: string
  table: string
  columns: SourceColumn[]
  /** The primary-key columns of the source, in its order, with their types. */
  primaryKey: SourceColumn[]
}

/**
 * Columns and types of a source table from the catalog. Throws `ConfigError` naming the table when
 * it does not exist, and the column when a primary-key column is missing: retrying cannot help.
 */
export async function describeSourceTable(db: Queryable, source: SourceTable): Promise<SourceTableDescription> {
  const table = displayName(source)
  const { rows } = await db.query<{
    name: string
    type: string
    full_type: string
    nullable: boolean
    category: string
  }>(
    `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type, format_type(a.atttypid, a.atttypmod) AS full_type,
            NOT a.attnotnull AS nullable, t.typcategory AS category
       FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [qualifiedName(source)],
  )
  if (rows.length === 0) {
    throw new ConfigError(
      `Source table ${table} does not exist in PostgreSQL: create it, or point the model's source at an existing ` +
        'table (chsync migrate creates only the ClickHouse tables)',
      { table },
    )
  }
  const columns = rows.map((row) => ({
    name: row.name,
    type: row.type,
    fullType: row.full_type,
    nullable: row.nullable,
    category: row.category,
  }))
  if (source.primaryKey.length === 0) throw new ConfigError(`No primary key given for source table ${table}`, { table })
  const primaryKey = source.primaryKey.map((name) => {
    const column = columns.find((candidate) => candidate.name === name)
    if (!column) {
      throw new ConfigError(`Primary-key column ${name} does not exist in source table ${table}`, {
        table,
        column: name,
      })
    }
    return column
  })
  return { schema: source.schema ?? 'public', table: source.table, columns, primaryKey }
}
