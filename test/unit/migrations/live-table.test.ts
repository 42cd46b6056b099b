import { describe, expect, it } from 'vitest'
import { diffColumns, sameType } from '../../../src/migrations/index.js'
import { decimal, defineModel, mergeTree, string, uInt64 } from '../../../src/models/index.js'

const model = defineModel({
  importKey: 'm',
  table: 'm',
  fields: { id: uInt64(), price: decimal(18, 2), name: string() },
  engine: mergeTree({ orderBy: ['id'] }),
  source: { table: 'm', primaryKey: ['id'] },
  deletes: 'ignore',
})

describe('diffColumns', () => {
  it('finds missing, retyped and extra columns, ignoring spacing in types', () => {
    const live = new Map([
      ['id', 'UInt32'],
      ['price', 'Decimal(18,2)'],
      ['legacy', 'String'],
    ])
    expect(diffColumns(model, live)).toEqual([
      { kind: 'type', column: 'id', expected: 'UInt64', actual: 'UInt32' },
      { kind: 'missing', column: 'name', expected: 'String' },
      { kind: 'extra', column: 'legacy', actual: 'String' },
    ])
    expect(sameType('Map(String, UInt64)', 'Map(String,UInt64)')).toBe(true)
  })
})
