import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { float32, float64 } from '../../../../src/models/fields/index.js'

describe('FloatField', () => {
  it.each([
    { name: 'number', field: float64(), value: 1.25, out: 1.25 },
    { name: 'numeric text', field: float64(), value: '3.5', out: 3.5 },
    { name: 'NaN', field: float64(), value: Number.NaN, out: 'nan' },
    { name: 'pg NaN text', field: float32(), value: 'NaN', out: 'nan' },
    { name: 'Infinity', field: float64(), value: '-Infinity', out: '-inf' },
  ])('converts $name', ({ field, value, out }) => {
    expect(field.toClickHouse(value)).toEqual(out)
  })

  it.each([
    { name: 'text', field: float64(), value: 'abc', why: /not a number/ },
    { name: 'Float32 overflow', field: float32(), value: 1e39, why: /out of Float32 range/ },
    { name: 'object', field: float64(), value: {}, why: /not a number/ },
  ])('rejects $name', ({ field, value, why }) => {
    expect(() => field.toClickHouse(value)).toThrow(PoisonRowError)
    expect(() => field.toClickHouse(value)).toThrow(why)
  })
})
