/**
 * Identifier quoting for the SQL chsync generates. Values are never pasted into SQL: they go through
 * query parameters or the insert body. Identifiers (databases, tables, columns) cannot be bound, so
 * they are quoted here — every one of them, always.
 */

/**
 * `name` as a back-quoted ClickHouse identifier. Input: any string (names with quotes, dots, spaces,
 * unicode). Backslashes and back quotes are escaped, so the result can never end the quoting early.
 */
export function quoteIdentifier(name: string): string {
  if (name.length === 0) throw new Error('an identifier cannot be empty')
  if (name.includes('\0')) throw new Error(`identifier ${JSON.stringify(name)} contains a NUL byte`)
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`'
}

/** `database`.`table`: chsync always names both, because the embedded engine ignores a client default database. */
export function qualifiedTable(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`
}

/**
 * `text` as a single-quoted ClickHouse string literal, for the literals DDL must contain (enum names,
 * time zones, comments, replication paths): backslashes and quotes are escaped. Row values never go
 * through here — they travel as query parameters or in the insert body.
 */
export function quoteString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}
