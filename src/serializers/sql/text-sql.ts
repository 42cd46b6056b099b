import { escapeLiteral } from 'pg'

/**
 * SQL expressions that print text in ClickHouse's TabSeparated input form. Two contexts:
 * - `escaped`: a top-level TSV field. Backslash, tab, line feed and carriage return are escaped
 *   (`\\`, `\t`, `\n`, `\r`), so a row is exactly one line; NULL is `\N`.
 * - `quoted`: an element inside an array (ClickHouse reads a TSV array field as it is, not
 *   unescaped first — checked on 18.16 and 26.x): strings in single quotes with `\'` and the same
 *   escapes, NULL is `NULL`.
 * The lines are read with COPY BINARY (src/source/copy-binary.ts), so PostgreSQL adds no escaping of
 * its own on top of these.
 */
export type TextContext = 'escaped' | 'quoted'

/** `text` (an SQL expression of type text) escaped for a TSV field: never contains a raw tab or newline. */
export function escapedSql(text: string): string {
  return String.raw`replace(replace(replace(replace(${text}, E'\\', E'\\\\'), E'\t', E'\\t'), E'\n', E'\\n'), E'\r', E'\\r')`
}

/** `text` as a quoted ClickHouse string literal inside an array or tuple: `'it\'s'`. */
export function quotedSql(text: string): string {
  return String.raw`('''' || replace(${escapedSql(text)}, '''', E'\\''') || '''')`
}

/** A string expression in the given context: escaped as it is, or quoted. */
export function stringSql(text: string, context: TextContext): string {
  return context === 'escaped' ? escapedSql(text) : quotedSql(text)
}

/** A constant text (already in ClickHouse's form for its context) as an SQL literal. */
export function literalSql(text: string): string {
  return escapeLiteral(text)
}

/** The text of a NULL in the context. */
export function nullSql(context: TextContext): string {
  return context === 'escaped' ? String.raw`E'\\N'` : `'NULL'`
}

/**
 * The line of a row with a value that does not fit its column: `!chsync: does not fit: <column>
 * <type> = <value>; …`, then one tab per column — one field more than the table has, so ClickHouse
 * always refuses the line (and quotes its start), and the bisector parks its operation as it parks a
 * row the JS serializer refuses. Input: per column, the rendered expression (NULL = misfit) and the
 * SQL text of the value it came from.
 */
export function rejectedLineSql(
  columns: readonly { name: string; type: string; expression: string; value: string }[],
): string {
  const reasons = columns.map(
    (column) =>
      `CASE WHEN (${column.expression}) IS NULL THEN ${literalSql(`${column.name} ${column.type} = `)} || coalesce(left(${column.value}, 60), 'NULL') END`,
  )
  const text = `'!chsync: does not fit: ' || concat_ws('; ', ${reasons.join(', ')})`
  return `${escapedSql(text)} || repeat(E'\\t', ${columns.length})`
}
