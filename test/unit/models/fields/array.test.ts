import { describe, expect, it } from 'vitest'
import { PoisonRowError } from '../../../../src/errors.js'
import { array, float32, nullable, string, uInt8 } from '../../../../src/models/fields/index.js'

describe('ArrayField', () => {
  it.each([
    { name: 'a JS array', field: array(uInt8()), value: [1, '2'], out: [1, 2] },
    { name: 'pgvector text', field: array(float32(), { dimension: 3 }), value: '[1,2.5,3]', out: [1, 2.5, 3] },
    { name: 'a typed array', field: array(float32()), value: new Float32Array([0.5]), out: [0.5] },
    { name: 'pg array text', field: array(nullable(string())), value: '{a,"b,c",NULL}', out: ['a', 'b,c', null] },
    { name: 'an empty pg array', field: array(uInt8()), value: '{}', out: [] },
  ])('converts $name', ({ field, value, out }) => {
    expect(field.toClickHouse(value)).toEqual(out)
  })

  it('checks an embedding dimension', () => {
    const embedding = array(float32(), { dimension: 384 })
    expect(embedding.toClickHouse(new Array(384).fill(0.1))).toHaveLength(384)
    expect(() => embedding.toClickHouse([1, 2])).toThrow(PoisonRowError)
    expect(() => embedding.toClickHouse([1, 2])).toThrow(/2 elements, expected 384/)
    expect(embedding.toSQLType()).toBe('Array(Float32)')
  })

  it.each([
    { name: 'an element that does not fit', value: [1, 300], why: /element \[1\].*out of range/ },
    { name: 'NULL element into non-Nullable', value: [null], why: /element \[0\].*NULL/ },
    { name: 'not an array', value: 'abc', why: /not an array/ },
  ])('rejects $name', ({ value, why }) => {
    expect(() => array(uInt8()).toClickHouse(value)).toThrow(why)
  })
})
