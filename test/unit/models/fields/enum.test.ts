import { describe, expect, it } from 'vitest'
import { ConfigError, PoisonRowError } from '../../../../src/errors.js'
import { enum8, enum16 } from '../../../../src/models/fields/index.js'

describe('EnumField', () => {
  const status = enum8({ active: 1, deleted: 2 })

  it('takes a name or its number and sends the name', () => {
    expect(status.toClickHouse('deleted')).toBe('deleted')
    expect(status.toClickHouse(1)).toBe('active')
    expect(status.toSQLType()).toBe("Enum8('active' = 1, 'deleted' = 2)")
  })

  it.each([{ value: 'archived' }, { value: 3 }, { value: 'toString' }])('rejects $value', ({ value }) => {
    expect(() => status.toClickHouse(value)).toThrow(PoisonRowError)
    expect(() => status.toClickHouse(value)).toThrow(/not one of active, deleted/)
  })

  it('refuses numbers outside the enum width', () => {
    expect(() => enum8({ a: 200 })).toThrow(ConfigError)
    expect(enum16({ "it's": 200 }).toSQLType()).toBe("Enum16('it\\'s' = 200)")
  })
})
