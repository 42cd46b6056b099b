import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { nullable, uInt8 } from '../../../../src/models/fields/index.js'

describe('NullableField', () => {
  it('sends null for NULL and a missing value, and converts the rest with T', () => {
    const field = nullable(uInt8())
    expect(field.toClickHouse(null)).toBeNull()
    expect(field.toClickHouse(undefined)).toBeNull()
    expect(field.toClickHouse('7')).toBe(7)
    expect(field.toSQLType()).toBe('Nullable(UInt8)')
  })

  it('is also a modifier of every field', () => {
    expect(uInt8().nullable().toSQLType()).toBe('Nullable(UInt8)')
    expect(uInt8().nullable().lowCardinality().toSQLType()).toBe('LowCardinality(Nullable(UInt8))')
    expect(uInt8().nullable().default(null).toClickHouse(undefined)).toBeNull()
  })

  it('still rejects what T rejects', () => {
    expect(() => nullable(uInt8()).toClickHouse(300)).toThrow(PoisonRowError)
  })
})
