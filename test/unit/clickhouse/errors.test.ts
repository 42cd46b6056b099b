import { describe, expect, it } from 'vitest'
import { classifyClickHouseError, describeClickHouseError, insertFailure } from '../../../src/clickhouse/errors.js'
import { ChsyncError, ConfigError, SchemaMismatchError, isNonRetryable } from '../../../src/errors.js'

/** A server error as the HTTP client and the embedded engine carry it: the code as a string. */
const serverError = (code: number, message: string) => Object.assign(new Error(message), { code: String(code) })

describe('classifyClickHouseError', () => {
  const context = { model: 'users', table: 'users', right: 'INSERT' }

  it.each([
    { name: 'a readonly user (18.x)', code: 164, message: 'Cannot insert into table in readonly mode' },
    { name: 'a missing grant', code: 497, message: 'chsync: Not enough privileges' },
  ])('names the missing right and the table for $name, and does not retry', ({ code, message }) => {
    const error = classifyClickHouseError(serverError(code, message), 'insert into default.users', context)
    expect(error).toBeInstanceOf(SchemaMismatchError)
    expect((error as Error).message).toBe(
      `insert into default.users: the ClickHouse user lacks the INSERT right on users: ${message}`,
    )
    expect((error as SchemaMismatchError).context).toEqual({ model: 'users', table: 'users', code: String(code) })
  })

  it('turns failed authentication into a ConfigError', () => {
    const error = classifyClickHouseError(serverError(516, 'Authentication failed'), 'insert', context)
    expect(error).toBeInstanceOf(ConfigError)
  })

  it('returns an error a retry may fix unchanged (a view whose query throws)', () => {
    const thrown = serverError(395, 'the view rejects the marker row')
    expect(classifyClickHouseError(thrown, 'insert', context)).toBe(thrown)
  })

  it('treats a violated CHECK constraint as refused input, naming its row', () => {
    expect(insertFailure(serverError(469, 'Constraint `c` for table t is violated at row 2'))).toEqual({
      kind: 'input',
      row: 2,
    })
  })
})

/** Messages as ClickHouse 18.16 and chDB 26.x print them (copied from the servers). */
describe('insertFailure', () => {
  it('reads the row the input parser stopped at, on both server generations', () => {
    const old = serverError(
      27,
      'Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected " before: zz"}\\n: ' +
        '(while read the value of key id): (at row 2)\n, e.what() = DB::Exception',
    )
    const modern = serverError(
      72,
      "Unsigned type must not contain '-' symbol: (while reading the value of key id): (at row 3)\n: " +
        'While executing JSONEachRowRowInputFormat. ',
    )
    expect(insertFailure(old)).toEqual({ kind: 'input', row: 2 })
    expect(insertFailure(modern)).toEqual({ kind: 'input', row: 3 })
    expect(insertFailure(serverError(38, 'Cannot parse date'))).toEqual({ kind: 'input' })
  })

  it('tells a view that failed after the table took the block, naming the innermost view', () => {
    const old = serverError(
      6,
      "Code: 6, e.displayText() = DB::Exception: Cannot parse string 'x' as UInt8: syntax error at begin of " +
        'string.: while pushing to view db.v, e.what() = DB::Exception',
    )
    const modern = serverError(
      395,
      "bad: while executing 'FUNCTION throwIf(equals(__table1.name, 'x'_String) :: 4) -> UInt8 : 2': " +
        'while pushing to view db.inner (3f2c…): while pushing to view db.outer. ',
    )
    expect(insertFailure(old)).toEqual({ kind: 'view', view: 'db.v', data: true })
    expect(insertFailure(modern)).toEqual({ kind: 'view', view: 'db.inner', data: true })
    // Out of memory under a view passes: retried as any server error, never blocking.
    expect(insertFailure(serverError(241, 'Memory limit exceeded: while pushing to view db.v. '))).toEqual({
      kind: 'view',
      view: 'db.v',
      data: false,
    })
  })

  it('leaves every other failure to describeClickHouseError', () => {
    expect(insertFailure(serverError(60, 'Table db.t does not exist'))).toEqual({ kind: 'other' })
    expect(insertFailure(new Error('connect ECONNREFUSED 127.0.0.1:8123'))).toEqual({ kind: 'other' })
  })
})

describe('describeClickHouseError', () => {
  const what = 'insert into default.users for users/b1'
  const context = { importKey: 'users', table: 'users' }
  const url = 'http://chsync:***@clickhouse:8123/'

  it('names the server of a transient failure and keeps it retryable', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:8123'), { code: 'ECONNREFUSED' })
    const error = describeClickHouseError(cause, what, context, url)
    expect(error).toBeInstanceOf(ChsyncError)
    expect((error as Error).message).toBe(`${what}: ClickHouse at ${url}: connect ECONNREFUSED 10.0.0.5:8123`)
    expect((error as Error).cause).toBe(cause)
    expect(isNonRetryable(error)).toBe(false)
  })

  it('still turns a table that does not fit into a non-retryable SchemaMismatchError', () => {
    const cause = Object.assign(new Error('Code: 60. Table default.users does not exist'), { code: '60' })
    const error = describeClickHouseError(cause, what, context, url)
    expect(error).toBeInstanceOf(SchemaMismatchError)
    expect(isNonRetryable(error)).toBe(true)
  })

  it('passes an error chsync already described unchanged', () => {
    const own = new ChsyncError('payload chunk 3 is missing')
    expect(describeClickHouseError(own, what, context, url)).toBe(own)
  })
})
