import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { decodeKey } from '../../../src/serializers/index.js'

describe('decodeKey', () => {
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
    expect(decodeKey(key, columns)).toEqual(out)
  })

  it.each([{ key: '1' }, { key: '["1"]' }, { key: '[1,2]' }])('rejects composite key $key', ({ key }) => {
    expect(() => decodeKey(key, ['a', 'b'])).toThrow(ConfigError)
  })
})
