import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { isFieldKind, string, uInt32 } from '../../../../src/models/fields/index.js'

describe('Field modifiers', () => {
  it('return copies and leave the original builder alone', () => {
    const base = uInt32()
    const withDefault = base.default(7).codec('ZSTD(1)').comment('visits')
    expect(withDefault.options).toEqual({ default: 7, defaultSQL: undefined, codec: 'ZSTD(1)', comment: 'visits' })
    expect(base.options).toEqual({})
    expect(withDefault.toClickHouse(3)).toBe(3)
  })

  it('validates a default when it is declared', () => {
    expect(() => uInt32().default(-1)).toThrow(PoisonRowError)
    expect(string().defaultSQL('lower(name)').options.defaultSQL).toBe('lower(name)')
  })

  it('guards the kind vocabulary', () => {
    expect(isFieldKind('array')).toBe(true)
    expect(isFieldKind('Array')).toBe(false)
  })
})
