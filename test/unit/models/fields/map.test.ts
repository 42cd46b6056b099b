import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { map, string, uInt64 } from '../../../../src/models/fields/index.js'

describe('MapField', () => {
  it('converts a jsonb object and a JS Map', () => {
    const field = map(string(), uInt64())
    expect(field.toClickHouse({ a: 1, b: '2' })).toEqual({ a: '1', b: '2' })
    expect(field.toClickHouse(new Map([['x', 3n]]))).toEqual({ x: '3' })
    expect(field.toSQLType()).toBe('Map(String, UInt64)')
  })

  it('names the key of a value that does not fit', () => {
    expect(() => map(string(), uInt64()).toClickHouse({ a: -1 })).toThrow(PoisonRowError)
    expect(() => map(string(), uInt64()).toClickHouse({ a: -1 })).toThrow(/key "a"/)
    expect(() => map(string(), uInt64()).toClickHouse([1])).toThrow(/not an object/)
  })
})
