import { describe, expect, it } from 'vitest'
import { ConfigError, PoisonRowError } from '../../../../src/errors.js'
import { decimal } from '../../../../src/models/fields/index.js'

describe('DecimalField', () => {
  it.each([
    { name: 'pg numeric text', value: '12345678.91', out: 12345678.91 },
    { name: 'trailing zeros beyond the scale', value: '1.2300', out: 1.23 },
    { name: 'number rounded to the scale', value: 0.1 + 0.2, out: 0.3 },
    { name: 'negative', value: '-0.5', out: -0.5 },
  ])('converts $name in Decimal(10, 2)', ({ value, out }) => {
    expect(decimal(10, 2).toClickHouse(value)).toEqual(out)
  })

  it('keeps more than 15 significant digits exact as text', () => {
    expect(decimal(38, 10).toClickHouse('1234567890123456.0123456789')).toBe('1234567890123456.0123456789')
  })

  it.each([
    { name: 'too many integer digits', value: '123456789.1', why: /more than 8 integer digits/ },
    { name: 'too many fraction digits', value: '1.234', why: /more than 2 fraction digits/ },
    { name: 'pg NaN', value: 'NaN', why: /not a decimal/ },
    { name: 'text', value: '1e5x', why: /not a decimal/ },
  ])('rejects $name', ({ value, why }) => {
    expect(() => decimal(10, 2).toClickHouse(value)).toThrow(PoisonRowError)
    expect(() => decimal(10, 2).toClickHouse(value)).toThrow(why)
  })

  it('refuses a scale larger than the precision', () => {
    expect(() => decimal(4, 5)).toThrow(ConfigError)
    expect(decimal(18, 4).toSQLType()).toBe('Decimal(18, 4)')
  })
})
