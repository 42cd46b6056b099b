import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { fixedString, string } from '../../../../src/models/fields/index.js'

describe('StringField', () => {
  it.each([
    { name: 'text', value: "it's", out: "it's" },
    { name: 'jsonb object as JSON text', value: { a: [1, 'x'] }, out: '{"a":[1,"x"]}' },
    { name: 'number', value: 12, out: '12' },
    { name: 'bigint', value: 12n, out: '12' },
  ])('converts $name', ({ value, out }) => {
    expect(string().toClickHouse(value)).toBe(out)
  })

  it.each([
    { name: 'bytea', value: Buffer.from('x'), why: /binary data/ },
    { name: 'a Date', value: new Date(0), why: /declare a date\/time field/ },
    { name: 'NULL', value: null, why: /NULL into a non-Nullable/ },
  ])('rejects $name', ({ value, why }) => {
    expect(() => string().toClickHouse(value)).toThrow(why)
  })
})

describe('FixedStringField', () => {
  it('takes up to N UTF-8 bytes', () => {
    expect(fixedString(2).toClickHouse('DE')).toBe('DE')
    expect(fixedString(2).toSQLType()).toBe('FixedString(2)')
  })

  it('rejects a value longer than N bytes', () => {
    expect(() => fixedString(2).toClickHouse('ÄÖ')).toThrow(PoisonRowError)
    expect(() => fixedString(2).toClickHouse('ÄÖ')).toThrow(/4 bytes, longer than 2/)
  })
})
