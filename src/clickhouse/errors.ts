import { ChsyncError, ConfigError, SchemaMismatchError, messageOf, type ErrorContext } from '../errors.js'

/**
 * ClickHouse error codes, sorted by what chsync does about them. Input: the numeric code a server
 * error carries (`Code: 60. …`), from the HTTP client or from the embedded engine.
 */

/**
 * The table or its rights do not match the model: block the model until fixed (invariant 7). Not 62
 * (SYNTAX_ERROR): chsync's queries carry no user SQL, so it means a query past the server's
 * `max_query_size` or a chsync bug, which no change to the table fixes; it retries, visibly.
 */
const SCHEMA_CODES = new Set([
  8, // THERE_IS_NO_COLUMN
  10, // NOT_FOUND_COLUMN_IN_BLOCK
  16, // NO_SUCH_COLUMN_IN_TABLE
  44, // ILLEGAL_COLUMN
  46, // UNKNOWN_FUNCTION (a broken custom expression)
  47, // UNKNOWN_IDENTIFIER (a broken custom expression)
  60, // UNKNOWN_TABLE
  81, // UNKNOWN_DATABASE
  164, // READONLY
  192, // UNKNOWN_USER
  193, // WRONG_PASSWORD
  497, // ACCESS_DENIED
  516, // AUTHENTICATION_FAILED
])

/**
 * The input itself is malformed for its column, or fails a CHECK of the table: the server refuses the
 * block before writing it, so a rejected chunk left nothing behind and its rows can be isolated.
 * The same codes raised while a materialized view runs are not that (see `insertFailure`).
 */
const ROW_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  190, // SIZES_OF_ARRAYS_DONT_MATCH
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  469, // VIOLATED_CONSTRAINT (a table CHECK the row fails; the whole block is refused before writing)
  691, // UNKNOWN_ELEMENT_OF_ENUM
])

/** A view's query failing on values: the same rows fail again until the view is changed. */
const VIEW_DATA_CODES = new Set([...ROW_CODES, 395 /* FUNCTION_THROW_IF_VALUE_IS_NON_ZERO */])

export function clickHouseErrorCode(error: unknown): number | undefined {
  if (!(error instanceof Error)) return undefined
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code)
  if (typeof code === 'number') return code
  const match = /Code: (\d+)/.exec(error.message)
  return match ? Number(match[1]) : undefined
}

/**
 * What a failed INSERT says about its rows:
 * - `input`: the server refused the input before writing anything (a value its column cannot parse,
 *   a CHECK); `row` is the 1-based row it names (`(at row N)`, `violated at row N`), when it does.
 * - `view`: a materialized view on the table failed, after the table (and views before it) took the
 *   block — re-sending parts of the chunk would write them again. `data`: it failed on values (the
 *   same rows fail again until the view changes), not for a passing reason (memory, a remote table).
 * - `other`: anything else (the server down, the table's shape, rights), for `describeClickHouseError`.
 * Both 18.x and 26.x append `: while pushing to view db.view` (the innermost view first) to an
 * error raised under a view; the row number is the parser's, relative to the one block a chunk is.
 */
export type InsertFailure =
  { kind: 'input'; row?: number } | { kind: 'view'; view: string; data: boolean } | { kind: 'other' }

const UNDER_VIEW = /while pushing to view (\S+?)(?: \(|[.:,]?(?:\s|$))/
const AT_ROW = /\(at row (\d+)\)|violated at row (\d+)/

export function insertFailure(error: unknown): InsertFailure {
  const code = clickHouseErrorCode(error)
  if (code === undefined) return { kind: 'other' }
  const message = messageOf(error)
  const view = UNDER_VIEW.exec(message)
  if (view) return { kind: 'view', view: view[1] as string, data: VIEW_DATA_CODES.has(code) }
  if (!ROW_CODES.has(code)) return { kind: 'other' }
  const row = AT_ROW.exec(message)
  return row ? { kind: 'input', row: Number(row[1] ?? row[2]) } : { kind: 'input' }
}

/** INCORRECT_DATA with this text: the insert names a column the table does not have. */
const UNKNOWN_FIELD = /Unknown field found while parsing|Unknown field/i

function isSchemaError(code: number | undefined, error: unknown): boolean {
  if (code === undefined) return false
  if (SCHEMA_CODES.has(code)) return true
  return code === 117 && error instanceof Error && UNKNOWN_FIELD.test(error.message)
}

/** The server refused for lack of a right (a readonly user, a missing GRANT), not for the table's shape. */
const RIGHTS_CODES = new Set([164, 497])

/**
 * Wraps a ClickHouse error that no retry can fix in `SchemaMismatchError` (rights and structure) or
 * `ConfigError` (credentials), kept as cause; returns any other error unchanged, to be retried. A
 * refused right is named in the message (`context.right`, e.g. INSERT) with the table.
 */
export function classifyClickHouseError(
  error: unknown,
  what: string,
  context: ErrorContext & { right?: string },
): unknown {
  const code = clickHouseErrorCode(error)
  if (!isSchemaError(code, error)) return error
  const { right, ...located } = context
  const message = error instanceof Error ? error.message : String(error)
  const missing =
    code !== undefined && RIGHTS_CODES.has(code) && right
      ? `the ClickHouse user lacks the ${right} right on ${located.table ?? 'the table'}: `
      : ''
  const ErrorClass = code === 192 || code === 193 || code === 516 ? ConfigError : SchemaMismatchError
  return new ErrorClass(`${what}: ${missing}${message}`, { ...located, code: String(code) }, { cause: error })
}

/**
 * `classifyClickHouseError`, with the errors it leaves to retry (the server down, a timeout) wrapped
 * in a retryable `ChsyncError` that names the server — "connect ECONNREFUSED 127.0.0.1:8123" alone
 * does not say which service failed. `displayUrl` must have its password masked.
 */
export function describeClickHouseError(
  error: unknown,
  what: string,
  context: ErrorContext & { right?: string },
  displayUrl: string,
): unknown {
  const classified = classifyClickHouseError(error, what, context)
  if (classified !== error || error instanceof ChsyncError) return classified
  const { right: _right, ...located } = context
  return new ChsyncError(`${what}: ClickHouse at ${displayUrl}: ${messageOf(error)}`, located, { cause: error })
}

/**
 * What a ClickHouse server's reply to the first query at start means, for `reach`: the server was
 * there but the alias's database is missing or its credentials are refused. Undefined for anything
 * that is not a server error (no reply at all).
 */
export function clickHouseRefusal(alias: string, database: string): (error: unknown) => string | undefined {
  return (error) => {
    const code = clickHouseErrorCode(error)
    if (code === undefined) return undefined
    if (code === 81)
      return `database ${database} does not exist: run chsync migrate (it creates the database and the tables of alias ${alias})`
    if (code === 192 || code === 193 || code === 516)
      return `refused chsync: ${messageOf(error)}: check databases.${alias}.user and .password`
    return `answered with an error: ${messageOf(error)}`
  }
}
