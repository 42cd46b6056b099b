import { describe, expect, it } from 'vitest'
import {
  ChsyncError,
  ConfigError,
  NON_RETRYABLE_ERROR_TYPES,
  SchemaMismatchError,
  StorageError,
  isNonRetryable,
} from '../../src/errors.js'

describe('errors', () => {
  it('keeps the cause and the context', () => {
    const cause = new Error('Code: 60. Table default.x does not exist')
    const error = new SchemaMismatchError(
      'insert failed for users/b1: table missing',
      { model: 'users', table: 'x' },
      { cause },
    )
    expect(error.cause).toBe(cause)
    expect(error.context).toEqual({ model: 'users', table: 'x' })
    expect(error.name).toBe('SchemaMismatchError')
    expect(error).toBeInstanceOf(ChsyncError)
  })

  it('lists exactly the non-retryable decisions', () => {
    expect(isNonRetryable(new ConfigError('bad key'))).toBe(true)
    expect(isNonRetryable(new StorageError('lock lost'))).toBe(false)
    expect(isNonRetryable(new Error('ECONNREFUSED'))).toBe(false)
    expect(NON_RETRYABLE_ERROR_TYPES).toContain('PoisonRowError')
  })
})
