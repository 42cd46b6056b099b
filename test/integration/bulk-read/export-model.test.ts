import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { exportModel } from '../../../src/bulk-read/index.js'
import { probeCapabilities, quoteString } from '../../../src/clickhouse/index.js'
import {
  array,
  createTableStatement,
  defineModel,
  float32,
  replacingMergeTree,
  uInt64,
} from '../../../src/models/index.js'
import { clickhouseEmbedded } from '../../utils/clients.js'
import { scratchDatabase } from '../../utils/scratch-database.js'
import { writeRound } from './sync-rounds.js'

describe('exportModel on embedded chDB 26.x', () => {
  const scratch = scratchDatabase(clickhouseEmbedded, 'chsync_export')

  it('writes Parquet that ClickHouse reads back as the current state', async () => {
    const model = defineModel({
      importKey: 'vectors',
      table: 'vectors',
      fields: { id: uInt64(), embedding: array(float32(), { dimension: 2 }), version: uInt64() },
      engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
      source: { table: 'vectors', primaryKey: ['id'] },
      deletes: 'ignore',
    })
    const { sql, settings } = createTableStatement(model, scratch.capabilities, scratch.database)
    await scratch.db.client.command({ query: sql, clickhouse_settings: settings })
    const rows = [1, 2].map((id) => ({ id, embedding: [id, -id] }))
    await writeRound(
      scratch.db,
      model,
      {
        operations: rows.map((r, i) => ({ kind: 'insert', key: String(r.id), seq: i + 1 })),
        rows: new Map(rows.map((r) => [String(r.id), r])),
      },
      true,
    )
    await writeRound(
      scratch.db,
      model,
      { operations: [{ kind: 'update', key: '2', seq: 5 }], rows: new Map([['2', { id: 2, embedding: [0.5, 0.5] }]]) },
      true,
    )
    const out = new PassThrough()
    const chunks: Buffer[] = []
    out.on('data', (chunk: Buffer) => chunks.push(chunk))
    const written = await exportModel(
      scratch.db,
      model,
      await probeCapabilities(scratch.admin),
      { format: 'parquet', columns: ['id', 'embedding'] },
      out,
    )
    const parquet = Buffer.concat(chunks)
    expect(written).toEqual({ rows: undefined, bytes: parquet.length })
    expect(parquet.subarray(0, 4).toString()).toBe('PAR1')
    // ClickHouse reads the file back: the file holds the current state.
    const file = join(mkdtempSync(join(tmpdir(), 'chsync-parquet-')), 'vectors.parquet')
    writeFileSync(file, parquet)
    const back = await (
      await scratch.db.client.query({
        query: `SELECT id, embedding FROM file(${quoteString(file)}, Parquet) ORDER BY id`,
        format: 'JSONEachRow',
      })
    ).json()
    expect(back).toEqual([
      { id: '1', embedding: [1, -1] },
      { id: '2', embedding: [0.5, 0.5] },
    ])
  })
})
