import { describe, expect, it } from 'vitest'
import { defineModel } from '../../../../src/models/define-model.js'
import { collapsingMergeTree, mergeTree, replacingMergeTree } from '../../../../src/models/engines/index.js'
import * as f from '../../../../src/models/fields/index.js'
import type { ModelConfig, Fields } from '../../../../src/models/model.js'
import { renderPath } from '../../../../src/serializers/sql/index.js'
import type { SourceTableDescription } from '../../../../src/source/describe.js'

const column = (name: string, type: string, category = 'N') => ({
  name,
  type,
  fullType: type,
  nullable: false,
  category,
})
const description: SourceTableDescription = {
  schema: 'public',
  table: 'orders',
  columns: [column('id', 'bigint'), column('name', 'text', 'S'), column('tags', 'jsonb', 'U')],
  primaryKey: [column('id', 'bigint')],
}

function model<TFields extends Fields>(config: Partial<ModelConfig<TFields>> & { fields: TFields }) {
  return defineModel({
    importKey: 'orders',
    table: 'orders',
    engine: mergeTree({ orderBy: ['id'] }),
    source: { table: 'orders', primaryKey: ['id'] },
    deletes: 'ignore',
    ...config,
  })
}

describe('renderPath', () => {
  it('renders in SQL a model whose columns all map to source columns', () => {
    const path = renderPath(model({ fields: { id: f.uInt64(), name: f.string() } }), description)
    expect(path.path).toBe('sql')
  })

  it.each([
    {
      name: 'a computed column',
      config: { fields: { id: f.uInt64(), name: f.string() }, columns: { name: () => 'x' } },
      reason: 'computed in JavaScript',
    },
    {
      name: 'a whole-row serializer',
      config: { fields: { id: f.uInt64() }, serializer: () => ({ id: 1 }) },
      reason: 'whole-row serializer',
    },
    {
      name: 'a collapsing engine',
      config: {
        fields: { id: f.uInt64(), sign: f.int8(), version: f.uInt64() },
        engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
      },
      reason: 'need the rows ClickHouse holds',
    },
    {
      name: 'a field with no SQL rendering',
      config: { fields: { id: f.uInt64(), tags: f.map(f.string(), f.uInt64()) } },
      reason: 'column tags: Map(String, UInt64) from PostgreSQL jsonb',
    },
    {
      name: 'a source column that does not exist',
      config: { fields: { id: f.uInt64(), gone: f.string() } },
      reason: 'has no column gone',
    },
  ])('keeps the JS path for $name, saying why', ({ config, reason }) => {
    const path = renderPath(model(config as never), description)
    expect(path).toMatchObject({ path: 'js' })
    expect(path.path === 'js' && path.reason).toContain(reason)
  })

  it('keeps the JS path for the models of a multi-model', () => {
    const path = renderPath(model({ fields: { id: f.uInt64() } }), description, { multiModel: true })
    expect(path).toEqual({ path: 'js', reason: 'a model of a multi-model' })
  })

  it('renders tombstones in SQL when the key covers the sorting key', () => {
    const path = renderPath(
      model({
        fields: { id: f.uInt64(), name: f.string(), version: f.uInt64(), deleted: f.uInt8() },
        engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'deleted' }),
      }),
      description,
    )
    expect(path.path === 'sql' && path.query.refusesDeletes).toBe(false)
  })
})
