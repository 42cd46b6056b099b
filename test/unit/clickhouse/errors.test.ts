import { describe, expect, it } from 'vitest'
import { classifyClickHouseError, describeClickHouseError, isRowError } from '../../../src/clickhouse/errors.js'
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

  it('treats a violated CHECK constraint as a row error, to bisect and park the row', () => {
    expect(isRowError(serverError(469, 'Constraint `c` for table t is violated at row 2'))).toBe(true)
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
