import { describe, expect, it } from 'vitest'
import { plainDecimal, printsWithExponent, withPlainNumbers } from '../../../src/clickhouse/plain-numbers.js'

describe('plainDecimal', () => {
  it.each([
    { literal: '2.8023464e-05', plain: '0.000028023464' },
    { literal: '-1.5e-3', plain: '-0.0015' },
    { literal: '1e-7', plain: '0.0000001' },
    { literal: '1.4e-45', plain: `0.${'0'.repeat(44)}14` },
    { literal: '3.4028235e+38', plain: `34028235${'0'.repeat(31)}` },
    { literal: '2e3', plain: '2000' },
    { literal: '1.25E2', plain: '125' },
    { literal: '12.5e-1', plain: '1.25' },
    { literal: '0.5e1', plain: '5' },
    { literal: '0e10', plain: '0' },
    { literal: '10e-1', plain: '1' },
    { literal: '42', plain: '42' },
  ])('writes $literal as $plain', ({ literal, plain }) => {
    expect(plainDecimal(literal)).toBe(plain)
    expect(Number(plainDecimal(literal))).toBe(Number(literal))
  })
})

describe('withPlainNumbers', () => {
  it('rewrites numbers and leaves strings that look like numbers alone', () => {
    expect(withPlainNumbers('{"a":[1e-7,2.5,-3E+2],"s":"1e-7 \\"2e3\\"","b":5e-7}')).toBe(
      '{"a":[0.0000001,2.5,-300],"s":"1e-7 \\"2e3\\"","b":0.0000005}',
    )
  })
})

describe('printsWithExponent', () => {
  it.each([
    { value: 1e-7, exponent: true },
    { value: 0.000001, exponent: false },
    { value: 1e21, exponent: true },
    { value: 0, exponent: false },
    { value: -2.5e-9, exponent: true },
  ])('says $exponent for $value', ({ value, exponent }) => {
    expect(printsWithExponent(value)).toBe(exponent)
    expect(String(value).includes('e')).toBe(exponent)
  })
})
