import { describe, expect, it } from 'vitest'
import { combineKinds } from '../../../src/storages/coalesce.js'

describe('combineKinds', () => {
  it.each([
    { previous: undefined, next: 'insert', result: 'insert' },
    { previous: undefined, next: 'update', result: 'update' },
    { previous: undefined, next: 'delete', result: 'delete' },
    { previous: 'insert', next: 'insert', result: 'insert' },
    { previous: 'insert', next: 'update', result: 'update' },
    { previous: 'insert', next: 'delete', result: 'delete' },
    { previous: 'update', next: 'insert', result: 'update' },
    { previous: 'update', next: 'update', result: 'update' },
    { previous: 'update', next: 'delete', result: 'delete' },
    { previous: 'delete', next: 'insert', result: 'update' },
    { previous: 'delete', next: 'update', result: 'update' },
    { previous: 'delete', next: 'delete', result: 'delete' },
  ] as const)('combines $previous then $next into $result', ({ previous, next, result }) => {
    expect(combineKinds(previous, next)).toBe(result)
  })
})
