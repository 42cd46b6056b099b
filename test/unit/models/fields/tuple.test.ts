import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { string, tuple, uInt8 } from '../../../../src/models/fields/index.js'

describe('TupleField', () => {
  it('converts each element with its type', () => {
    const field = tuple(uInt8(), string())
    expect(field.toClickHouse(['1', 'x'])).toEqual([1, 'x'])
    expect(field.toSQLType()).toBe('Tuple(UInt8, String)')
  })

  it('rejects a wrong length and an element that does not fit', () => {
    expect(() => tuple(uInt8(), string()).toClickHouse([1])).toThrow(/1 elements, expected 2/)
    expect(() => tuple(uInt8(), string()).toClickHouse([999, 'x'])).toThrow(PoisonRowError)
  })
})
