import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { bool } from '../../../../src/models/fields/index.js'

describe('BoolField', () => {
  it.each([
    { value: true, out: true },
    { value: 0, out: false },
    { value: 't', out: true },
    { value: 'false', out: false },
  ])('converts $value', ({ value, out }) => {
    expect(bool().toClickHouse(value)).toBe(out)
  })

  it.each([{ value: 2 }, { value: 'maybe' }, { value: null }])('rejects $value', ({ value }) => {
    expect(() => bool().toClickHouse(value)).toThrow(PoisonRowError)
  })
})
