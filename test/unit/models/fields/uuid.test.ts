import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { uuid } from '../../../../src/models/fields/index.js'

describe('UUIDField', () => {
  it.each([
    { value: '6E1F5B1C-7A0E-4A3D-9A8C-0B7C2F3E4D5A', out: '6e1f5b1c-7a0e-4a3d-9a8c-0b7c2f3e4d5a' },
    { value: '6e1f5b1c7a0e4a3d9a8c0b7c2f3e4d5a', out: '6e1f5b1c-7a0e-4a3d-9a8c-0b7c2f3e4d5a' },
  ])('normalizes $value', ({ value, out }) => {
    expect(uuid().toClickHouse(value)).toBe(out)
  })

  it.each([{ value: 'not-a-uuid' }, { value: 42 }, { value: '6e1f5b1c-7a0e-4a3d-9a8c-0b7c2f3e4d5' }])(
    'rejects $value',
    ({ value }) => {
      expect(() => uuid().toClickHouse(value)).toThrow(PoisonRowError)
    },
  )
})
