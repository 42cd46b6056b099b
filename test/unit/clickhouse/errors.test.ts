import { describe, expect, it } from 'vitest'
import { classifyClickHouseError, isRowError } from '../../../src/clickhouse/errors.js'
import { ConfigError, SchemaMismatchError } from '../../../src/errors.js'

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
