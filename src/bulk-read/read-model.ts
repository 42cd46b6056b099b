import type { ClickHouseDatabase } from '../clickhouse/client.js'
import { supportsQueryParameters } from '../clickhouse/capabilities.js'
import { ConfigError } from '../errors.js'
import type { ColumnName, Fields, Model } from '../models/model.js'
import type { ByteReader } from './byte-reader.js'
import { columnBuilder } from './column-builders.js'
import { currentStateQuery, type CurrentStateQuery, type WhereClause } from './current-state-query.js'
import { decodeRows } from './decode-rows.js'
import { keyRangeChunks, pageKeys } from './key-pages.js'
import type { ColumnarResult, NumericArray, ReadRow } from './read-types.js'
import { rowBinaryChunks } from './row-binary-stream.js'
import { valueDecoder } from './value-decoders.js'

/** What to read of a model's current state. */
export interface ReadModelOptions<TColumn extends string = string> {
  /** The columns to read, in this order. @default every field of the model */
  columns?: readonly TColumn[]
  /** Only the rows this filter keeps (applied after deletes and versions are resolved). @default every row */
  where?: WhereClause
  /**
   * Bind `where.params` as query parameters. @default always on chDB; probed on a server (ClickHouse
   * ≥ 19.x binds, 18.x gets literals escaped by @clickhouse/client)
   */
  queryParameters?: boolean
  /** Rows per batch yielded by `readModel`. @default 10000 */
  batchRows?: number
  /**
   * chDB only: RowBinary bytes per page (chDB materializes each answer whole, so a read is a
   * series of pages over the sorting key; a server streams one query). @default 8 MiB
   */
  pageBytes?: number
  /** Cancels the read (the query stops on the target). */
  signal?: AbortSignal
}

/** Options of `readModelColumns`. */
export interface ReadColumnsOptions<TColumn extends string = string> extends ReadModelOptions<TColumn> {
  /**
   * Rows the columns are sized for. @default a `count()` of the same current state, run first (cheap:
   * it reads the key and version columns only); more rows than expected grow the columns
   */
  expectedRows?: number
  /**
   * Typed arrays to fill instead of allocating, by column: a numeric column's values, a vector
   * column's elements (rows × dimension). Reloading a dataset into the arrays of the previous read
   * skips allocating and first touching them. A read that needs more than an array holds grows into
   * a new one. An array of another type than the column fills is a `ConfigError`. @default none
   */
  into?: Partial<Record<TColumn, NumericArray>>
}

const DEFAULT_PAGE_BYTES = 8 * 2 ** 20

async function bindParams(db: ClickHouseDatabase, options: ReadModelOptions): Promise<boolean> {
  const hasParams = Object.keys(options.where?.params ?? {}).length > 0
  return db.kind === 'server' && hasParams && (options.queryParameters ?? (await supportsQueryParameters(db.client)))
}

async function buildQuery(db: ClickHouseDatabase, model: Model, options: ReadModelOptions): Promise<CurrentStateQuery> {
  return currentStateQuery(db, model, { ...options, bind: await bindParams(db, options) })
}

/**
 * The RowBinary bytes of a read: from a server one streamed query; on chDB pages over ranges of the
 * sorting key when the model's key allows, else one answer.
 */
async function readSource(
  db: ClickHouseDatabase,
  model: Model,
  options: ReadModelOptions,
): Promise<{ query: CurrentStateQuery; chunks: AsyncIterable<Buffer> }> {
  const bind = await bindParams(db, options)
  const query = currentStateQuery(db, model, { ...options, bind })
  const keys = db.kind === 'embedded' ? pageKeys(model) : undefined
  if (!keys) return { query, chunks: rowBinaryChunks(db, query, options.signal) }
  const pageBytes = options.pageBytes ?? DEFAULT_PAGE_BYTES
  if (!(pageBytes > 0))
    throw new ConfigError(`read of ${model.importKey}: pageBytes must be a positive number of bytes (got ${pageBytes})`)
  return { query, chunks: keyRangeChunks(db, model, { ...options, bind }, keys, pageBytes, options.signal) }
}

/**
 * Reads a model's current state — one row per key, deletes applied, the newest version of each key —
 * as batches of typed rows, streamed in RowBinary: from a server, memory holds one network chunk and
 * one batch; on chDB, which hands over each answer whole, about two pages (`pageBytes` each) and one batch.
 * @example for await (const batch of readModel(db, vectors, { columns: ['id', 'embedding'] })) use(batch)
 */
export async function* readModel<TFields extends Fields, TColumn extends ColumnName<TFields> = ColumnName<TFields>>(
  db: ClickHouseDatabase,
  model: Model<TFields>,
  options: ReadModelOptions<TColumn> = {},
): AsyncGenerator<ReadRow<TFields, TColumn>[]> {
  const { query, chunks } = await readSource(db, model, options)
  const names = query.columns.map(({ name }) => name)
  const decoders = query.columns.map(({ field }) => valueDecoder(field))
  const batchRows = options.batchRows ?? 10_000
  let batch: Record<string, unknown>[] = []
  const row = (reader: ByteReader) => {
    const out: Record<string, unknown> = {}
    for (let index = 0; index < decoders.length; index++)
      out[names[index] as string] = (decoders[index] as (r: ByteReader) => unknown)(reader)
    batch.push(out)
  }
  for await (const _ of decodeRows(
    chunks,
    row,
    () => undefined,
    () => batch.length >= batchRows,
  )) {
    if (batch.length >= batchRows) {
      yield batch as ReadRow<TFields, TColumn>[]
      batch = []
    }
  }
  if (batch.length) yield batch as ReadRow<TFields, TColumn>[]
}

/** How many rows a read with these options returns now (the current state: one per key, deletes applied). */
export async function countModelRows(
  db: ClickHouseDatabase,
  model: Model,
  options: Pick<ReadModelOptions, 'where' | 'queryParameters'> = {},
): Promise<number> {
  const query = await buildQuery(db, model, { ...options, columns: [Object.keys(model.fields)[0] as string] })
  const result = await db.client.query({
    query: `SELECT count() AS rows FROM (${query.sql})`,
    format: 'JSONEachRow',
    clickhouse_settings: query.settings,
    ...(query.params ? { query_params: query.params } : {}),
  })
  const [first] = await result.json<{ rows: string | number }>()
  return Number(first?.rows ?? 0)
}

/**
 * Reads a model's current state into memory as columns: numeric fields in typed arrays (Int8Array …
 * BigInt64Array, Float32Array, Float64Array; Bool as Uint8Array), an `Array(<number>)` field (an
 * embedding) as one contiguous typed array with its `dimension`, every other field as an array of
 * values. Bytes go from the network chunk into the typed arrays without intermediate rows.
 * @example const { rows, columns } = await readModelColumns(db, vectors, { columns: ['id', 'embedding'] })
 */
export async function readModelColumns<
  TFields extends Fields,
  TColumn extends ColumnName<TFields> = ColumnName<TFields>,
>(
  db: ClickHouseDatabase,
  model: Model<TFields>,
  options: ReadColumnsOptions<TColumn> = {},
): Promise<ColumnarResult<TFields, TColumn>> {
  const { query, chunks } = await readSource(db, model, options)
  const expected = options.expectedRows ?? (await countModelRows(db, model, options))
  const into = options.into as Partial<Record<string, NumericArray>> | undefined
  const builders = query.columns.map(({ name, field }) => {
    const array = into?.[name]
    return columnBuilder(field, expected, array ? { column: name, array } : undefined)
  })
  let rows = 0
  const row = (reader: ByteReader) => {
    for (const builder of builders) builder.append(reader, rows)
    rows++
  }
  const rollback = () => {
    for (const builder of builders) builder.truncate(rows)
  }
  for await (const _ of decodeRows(chunks, row, rollback)) {
    // Each chunk is decoded as it arrives; the loop only pulls the next one.
  }
  const columns = Object.fromEntries(query.columns.map(({ name }, index) => [name, builders[index]?.finish(rows)]))
  return { rows, columns } as ColumnarResult<TFields, TColumn>
}
