import { describe, expect, it } from 'vitest'
import { readModelColumns } from '../../../src/bulk-read/index.js'
import { probeCapabilities, qualifiedTable } from '../../../src/clickhouse/index.js'
import { ConfigError } from '../../../src/errors.js'
import {
  array,
  createTableStatement,
  defineModel,
  float32,
  replacingMergeTree,
  string,
  uInt64,
} from '../../../src/models/index.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'
import { scratchDatabase } from '../../utils/scratch-database.js'

const targets = [
  { target: 'embedded chDB 26.x', open: clickhouseEmbedded },
  { target: 'ClickHouse 18.16 server', open: clickhouseServer },
]

describe.each(targets)('readModelColumns into the caller’s typed arrays on $target', ({ open }) => {
  const scratch = scratchDatabase(open, 'chsync_bulk_into')
  const model = defineModel({
    importKey: 'into_vectors',
    table: 'into_vectors',
    fields: { id: uInt64(), embedding: array(float32()), label: string(), version: uInt64() },
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    source: { table: 'into_vectors', primaryKey: ['id'] },
    deletes: 'ignore',
  })
  const rows = Array.from({ length: 50 }, (_, index) => ({
    id: index + 1,
    embedding: [index, index + 0.5, -index, 1],
    label: `l${index}`,
    version: 1,
  }))

  it('fills the given arrays (a view with an offset too), grows past them, and names a mistyped one', async () => {
    const { sql, settings } = createTableStatement(model, await probeCapabilities(scratch.admin), scratch.database)
    await scratch.db.client.command({ query: sql, clickhouse_settings: settings })
    await scratch.db.client.insert({
      table: qualifiedTable(scratch.db.database, model.table),
      values: rows,
      format: 'JSONEachRow',
    })
    const fresh = await readModelColumns(scratch.db, model, { columns: ['id', 'embedding'] })
    // A view 16 bytes into a larger buffer: the floats must land in the view, not at the buffer's start.
    const floats = new Float32Array(4 + 50 * 4).subarray(4)
    const ids = new BigUint64Array(50)
    const into = await readModelColumns(scratch.db, model, {
      columns: ['id', 'embedding'],
      into: { id: ids, embedding: floats },
    })
    expect(into.columns.embedding.values.buffer).toBe(floats.buffer)
    expect(into.columns.id.buffer).toBe(ids.buffer)
    expect(sorted(into)).toEqual(sorted(fresh))
    expect(new Float32Array(floats.buffer, 0, 4)).toEqual(new Float32Array(4))
    const small = new Float32Array(8)
    const grown = await readModelColumns(scratch.db, model, {
      columns: ['id', 'embedding'],
      into: { embedding: small },
    })
    expect(grown.columns.embedding.values.buffer).not.toBe(small.buffer)
    expect(sorted(grown)).toEqual(sorted(fresh))
    const wrong = readModelColumns(scratch.db, model, {
      columns: ['embedding'],
      into: { embedding: new Float64Array(200) },
    })
    await expect(wrong).rejects.toThrow(ConfigError)
    await expect(wrong).rejects.toThrow(
      /embedding is Array\(Float32\), which fills a Float32Array; into.embedding is a Float64Array/,
    )
    await expect(
      readModelColumns(scratch.db, model, { columns: ['label'], into: { label: new Uint8Array(9) } }),
    ).rejects.toThrow(/label is String, which reads as an array of values/)
  })
})

/** Rows as [id, floats] sorted by id: the read's order is not the insert's. */
function sorted(result: { rows: number; columns: { id: unknown; embedding: unknown } }): [bigint, number[]][] {
  const ids = result.columns.id as BigUint64Array
  const { values, dimension } = result.columns.embedding as { values: Float32Array; dimension: number }
  return Array.from({ length: result.rows }, (_, row): [bigint, number[]] => [
    ids[row] as bigint,
    [...values.subarray(row * dimension, (row + 1) * dimension)],
  ]).sort((a, b) => (a[0] < b[0] ? -1 : 1))
}
