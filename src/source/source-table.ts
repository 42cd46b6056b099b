import { escapeIdentifier } from 'pg'
import type { QueryResult, QueryResultRow } from 'pg'

/** Anything that runs a parameterized query: a `pg.Pool`, a pooled client, a transaction's client. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>
}

/** Where a model's rows live in PostgreSQL. */
export interface SourceTable {
  /** @default 'public' */
  schema?: string
  table: string
  /** Primary-key columns, in the order keys are encoded (src/source/keys.ts). */
  primaryKey: readonly string[]
  /** Extra SQL condition ANDed to every fetch (trusted configuration, not user input). */
  where?: string
}

/** `"schema"."table"`, quoted. */
export function qualifiedName(source: Pick<SourceTable, 'schema' | 'table'>): string {
  return `${escapeIdentifier(source.schema ?? 'public')}.${escapeIdentifier(source.table)}`
}

/** `schema.table` for messages. */
export function displayName(source: Pick<SourceTable, 'schema' | 'table'>): string {
  return `${source.schema ?? 'public'}.${source.table}`
}
