/**
 * Type tests for the bulk read: compiled by `tsc --noEmit` (npm test), never run. Rows and columns
 * are typed from the model's fields, and a row read back is a row the model can write.
 */
import type { ColumnarResult, ReadRow, VectorColumn } from '../../../src/bulk-read/index.js'
import { readModel, readModelColumns } from '../../../src/bulk-read/index.js'
import type { ClickHouseDatabase } from '../../../src/clickhouse/index.js'
import {
  array,
  dateTime,
  decimal,
  defineModel,
  enum8,
  float32,
  float64,
  int64,
  map,
  nullable,
  replacingMergeTree,
  string,
  uInt8,
  uInt32,
  uInt64,
} from '../../../src/models/index.js'
import type { Equal, Expect } from '../utils.js'

const vectors = defineModel({
  importKey: 'vectors',
  table: 'vectors',
  fields: {
    id: uInt64(),
    small: uInt32(),
    score: float64(),
    embedding: array(float32(), { dimension: 384 }),
    label: nullable(string()),
    kind: enum8({ a: 1, b: 2 }),
    at: dateTime('UTC'),
    price: decimal(12, 2),
    counts: map(string(), int64()),
    version: uInt64(),
    flag: uInt8(),
  },
  engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
  source: { table: 'vectors', primaryKey: ['id'] },
})
type Fields = typeof vectors.fields

export type RowIsTyped = Expect<
  Equal<
    ReadRow<Fields, 'id' | 'embedding' | 'label' | 'kind' | 'at' | 'price' | 'counts'>,
    {
      id: bigint
      embedding: number[]
      label: string | null
      kind: 'a' | 'b'
      at: Date
      price: string
      counts: Record<string, bigint>
    }
  >
>

/** A row read back fits the model's own row type. */
export type RowIsWritable = Expect<ReadRow<Fields> extends typeof vectors.$inferRow ? true : false>

type Columns = ColumnarResult<Fields, 'id' | 'small' | 'score' | 'embedding' | 'label'>['columns']
export async function selectedColumnsNarrowTheResult(db: ClickHouseDatabase) {
  const { columns } = await readModelColumns(db, vectors, { columns: ['id', 'embedding'] })
  const embedding: Float32Array = columns.embedding.values
  // @ts-expect-error a column not selected is not in the result
  void columns.score
  for await (const batch of readModel(db, vectors, { columns: ['id'] })) {
    const id: bigint | undefined = batch[0]?.id
    void id
  }
  // @ts-expect-error a column the model does not have
  void readModel(db, vectors, { columns: ['nope'] })
  return embedding
}
// Column by column: Equal of a whole mapped type against a literal is stricter than assignability.
export type IdsAreBigInts = Expect<Equal<Columns['id'], BigInt64Array | BigUint64Array>>
export type SmallIntsAreInt32 = Expect<Equal<Columns['small'], Int32Array | Uint32Array>>
export type FloatsAreFloat64 = Expect<Equal<Columns['score'], Float64Array>>
export type EmbeddingIsOneFloat32Array = Expect<Equal<Columns['embedding'], VectorColumn<Float32Array>>>
export type OthersAreValueArrays = Expect<Equal<Columns['label'], (string | null)[]>>
