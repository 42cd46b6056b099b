import { describe, expect, it } from 'vitest'
import { decodeKey, decodeKeyColumns, encodeKey, keySql } from '../../../src/source/keys.js'
import { PoisonRowError } from '../../../src/errors.js'

describe('encodeKey', () => {
  it.each([
    { name: 'an integer', values: [42], key: '42' },
    { name: 'a bigint', values: [9007199254740993n], key: '9007199254740993' },
    { name: 'a string with separators', values: ['a:b.c'], key: 'a:b.c' },
    { name: 'a composite key', values: [1, 'x'], key: '["1","x"]' },
    { name: 'a composite key with quotes and backslashes', values: ['"', '\\'], key: '["\\"","\\\\"]' },
  ])('encodes $name', ({ values, key }) => {
    expect(encodeKey(values)).toBe(key)
  })

  it.each([
    { name: 'no value', values: [] },
    { name: 'NaN', values: [Number.NaN] },
  ])('rejects $name', ({ values }) => {
    expect(() => encodeKey(values)).toThrow(PoisonRowError)
  })
})

describe('decodeKey', () => {
  it.each([
    { name: 'a single column', values: ['["1","x"]'] },
    { name: 'two columns', values: ['1', 'x'] },
    { name: 'quotes, colons and unicode', values: ['"a":b', 'ünï\u0001'] },
  ])('inverts encodeKey for $name', ({ values }) => {
    expect(decodeKey(encodeKey(values), values.length)).toEqual(values)
  })

  it.each([
    { name: 'not JSON', key: 'nope', columns: 2 },
    { name: 'the wrong arity', key: '["1"]', columns: 2 },
    { name: 'a non-string part', key: '[1,"x"]', columns: 2 },
  ])('rejects $name', ({ key, columns }) => {
    expect(() => decodeKey(key, columns)).toThrow(PoisonRowError)
  })
})

describe('keySql', () => {
  it('quotes identifiers', () => {
    expect(keySql(['id'], 't')).toBe('t."id"::text')
    expect(keySql(['a"b', 'c'], 'n')).toBe('to_json(ARRAY[n."a""b"::text, n."c"::text])::text')
  })
})

describe('decodeKeyColumns', () => {
  it.each([
    { name: 'a single-column key is the text form', key: '42', columns: ['id'], out: { id: '42' } },
    { name: 'a single-column key may look like JSON', key: '["a"]', columns: ['id'], out: { id: '["a"]' } },
    {
      name: 'a composite key is a JSON array of text forms',
      key: '["1","x"]',
      columns: ['a', 'b'],
      out: { a: '1', b: 'x' },
    },
  ])('decodes: $name', ({ key, columns, out }) => {
    expect(decodeKeyColumns(key, columns)).toEqual(out)
  })

  it.each([{ key: '1' }, { key: '["1"]' }, { key: '[1,2]' }])('rejects composite key $key', ({ key }) => {
    expect(() => decodeKeyColumns(key, ['a', 'b'])).toThrow(PoisonRowError)
  })
})
