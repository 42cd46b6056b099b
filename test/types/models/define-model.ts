/**
 * Type tests for the model DSL: compiled by `tsc --noEmit` (npm test), never run. Each `@ts-expect-error`
 * line must fail to compile, so a loosened type shows up as an unused directive.
 */
import {
  array,
  defineModel,
  enum8,
  float32,
  int64,
  mergeTree,
  nullable,
  replacingMergeTree,
  string,
  tuple,
  uInt32,
  uInt64,
} from '../../../src/models/index.js'
import type { users } from '../../fixtures/models/users.js'
import type { Equal, Expect } from '../utils.js'

type User = typeof users.$inferRow
export type RowIsInferred = Expect<
  Equal<
    User,
    {
      id: bigint | number | string
      name: string
      email: string | null
      status: 'active' | 'banned'
      country: string
      updated_at: Date | string
      version: bigint | number | string
      is_deleted: number
    }
  >
>

const fields = {
  id: uInt32(),
  nickname: string().nullable().lowCardinality(),
  label: nullable(string()),
  embedding: array(float32(), { dimension: 3 }),
  point: tuple(float32(), int64()),
  kind: enum8({ a: 1, b: 2 }),
}
export const model = defineModel({
  importKey: 'typed',
  table: 'typed',
  fields,
  engine: mergeTree({ orderBy: ['id', 'kind'] }),
  source: { table: 'typed', primaryKey: ['id'] },
  columns: { label: 'title', kind: (row) => (row.kind_id === 1 ? 'a' : 'b') },
  deletes: 'ignore',
})
export type FieldTypes = Expect<
  Equal<
    typeof model.$inferRow,
    {
      id: number
      nickname: string | null
      label: string | null
      embedding: number[]
      point: [number, bigint | number | string]
      kind: 'a' | 'b'
    }
  >
>

defineModel({
  importKey: 'x',
  table: 'x',
  fields: { id: uInt64() },
  // @ts-expect-error a sorting key column that is not a field
  engine: mergeTree({ orderBy: ['missing'] }),
  source: { table: 'x', primaryKey: ['id'] },
})

defineModel({
  importKey: 'x',
  table: 'x',
  fields: { id: uInt64(), version: uInt64() },
  // @ts-expect-error a version column that is not a field
  engine: replacingMergeTree({ orderBy: ['id'], version: 'vers' }),
  source: { table: 'x', primaryKey: ['id'] },
})

defineModel({
  importKey: 'x',
  table: 'x',
  fields: { id: uInt64(), kind: enum8({ a: 1 }) },
  engine: mergeTree({ orderBy: ['id'] }),
  source: { table: 'x', primaryKey: ['id'] },
  // @ts-expect-error a computed value of the wrong type (not one of the enum names)
  columns: { kind: () => 'c' },
})

defineModel({
  importKey: 'x',
  table: 'x',
  fields: { id: uInt64() },
  engine: mergeTree({ orderBy: ['id'] }),
  source: { table: 'x', primaryKey: ['id'] },
  // @ts-expect-error a rename of a field that does not exist
  columns: { nope: 'id' },
})

defineModel({
  importKey: 'x',
  table: 'x',
  fields: { id: uInt64(), name: string() },
  engine: mergeTree({ orderBy: ['id'] }),
  source: { table: 'x', primaryKey: ['id'] },
  // @ts-expect-error a serializer returning a number for a String field
  serializer: (row) => ({ id: 1, name: row.id as number }),
})

// @ts-expect-error a default of the wrong type
uInt32().default('seven')
