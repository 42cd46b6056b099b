import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { fixedString, lowCardinality, nullable, string } from '../../../../src/models/fields/index.js'

describe('LowCardinalityField', () => {
  it('converts like its inner type', () => {
    expect(lowCardinality(string()).toClickHouse('x')).toBe('x')
    expect(lowCardinality(nullable(string())).toClickHouse(null)).toBeNull()
    expect(lowCardinality(nullable(string())).toSQLType()).toBe('LowCardinality(Nullable(String))')
  })

  it('rejects NULL unless the inner type is Nullable', () => {
    expect(() => lowCardinality(string()).toClickHouse(null)).toThrow(PoisonRowError)
    expect(() => lowCardinality(fixedString(1)).toClickHouse('ab')).toThrow(/longer than 1/)
  })
})
