import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { int8, int64, int256, uInt8, uInt32, uInt64, uInt256 } from '../../../../src/models/fields/index.js'

describe('IntField', () => {
  it.each([
    { name: 'UInt8 number', field: uInt8(), value: 255, out: 255 },
    { name: 'Int8 negative', field: int8(), value: -128, out: -128 },
    { name: 'UInt32 from text', field: uInt32(), value: '42', out: 42 },
    { name: 'UInt8 from boolean', field: uInt8(), value: true, out: 1 },
    { name: 'Int64 from pg text', field: int64(), value: '-9223372036854775808', out: '-9223372036854775808' },
    { name: 'UInt64 max as string', field: uInt64(), value: '18446744073709551615', out: '18446744073709551615' },
    { name: 'UInt64 from bigint', field: uInt64(), value: 12n, out: '12' },
    { name: 'UInt64 from number', field: uInt64(), value: 7, out: '7' },
    { name: 'UInt256 max', field: uInt256(), value: (2n ** 256n - 1n).toString(), out: (2n ** 256n - 1n).toString() },
  ])('converts $name', ({ field, value, out }) => {
    expect(field.toClickHouse(value)).toEqual(out)
  })

  it.each([
    { name: 'UInt8 overflow', field: uInt8(), value: 256, why: /out of range 0..255/ },
    { name: 'negative into UInt32', field: uInt32(), value: -1, why: /out of range/ },
    { name: 'Int8 underflow', field: int8(), value: '-129', why: /out of range -128..127/ },
    { name: 'UInt64 overflow', field: uInt64(), value: '18446744073709551616', why: /out of range/ },
    { name: 'Int256 overflow', field: int256(), value: (2n ** 255n).toString(), why: /out of range/ },
    { name: 'fraction', field: uInt32(), value: 1.5, why: /not an exact integer/ },
    { name: 'unsafe number into Int64', field: int64(), value: 2 ** 60, why: /not an exact integer/ },
    { name: 'text', field: uInt32(), value: 'abc', why: /not an integer/ },
    { name: 'NULL into non-Nullable', field: uInt32(), value: null, why: /NULL into a non-Nullable/ },
  ])('rejects $name', ({ field, value, why }) => {
    expect(() => field.toClickHouse(value)).toThrow(PoisonRowError)
    expect(() => field.toClickHouse(value)).toThrow(why)
  })

  it('names its type', () => {
    expect([int8(), uInt64(), int256()].map((field) => field.toSQLType())).toEqual(['Int8', 'UInt64', 'Int256'])
  })
})
