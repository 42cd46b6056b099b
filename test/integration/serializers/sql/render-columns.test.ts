import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'
import pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import { probeCapabilities, qualifiedTable, quoteIdentifier } from '../../../../src/clickhouse/index.js'
import { createTableStatement } from '../../../../src/models/ddl.js'
import { defineModel } from '../../../../src/models/define-model.js'
import { mergeTree } from '../../../../src/models/engines/index.js'
import * as f from '../../../../src/models/fields/index.js'
import type { Model } from '../../../../src/models/model.js'
import { serializeRow } from '../../../../src/serializers/row.js'
import { renderedRowsCopy } from '../../../../src/serializers/sql/index.js'
import { copyBinaryTextColumn } from '../../../../src/source/copy-binary.js'
import { describeSourceTable } from '../../../../src/source/describe.js'
import { fetchRowsByKeys } from '../../../../src/source/fetch.js'
import { sourceTypeParsers } from '../../../../src/source/type-parsers.js'
import { insertChunk, insertChunkBisecting } from '../../../../src/sync/insert.js'
import { cutChunks } from '../../../../src/sync/payload.js'
import type { SyncTarget } from '../../../../src/sync/runtime.js'
import { clickhouseEmbedded, clickhouseServer } from '../../../utils/clients.js'
import { uniqueName } from '../../../utils/names.js'
import { TRICKY, everyTypeFields, everyTypeSource } from '../../../fixtures/models/every-type.js'
import { requireEnv } from '../../../utils/services-env.js'

/**
 * The SQL renderer against the JS serializer, value for value: the same source rows, rendered by
 * PostgreSQL into TSV and serialized by JavaScript into JSONEachRow, give identical ClickHouse rows.
 */

describe.each([
  { target: 'ClickHouse server 18.16', open: clickhouseServer, newer: false },
  { target: 'embedded ClickHouse 26.x', open: clickhouseEmbedded, newer: true },
])('rows PostgreSQL renders, on $target', ({ open, newer }) => {
  const database = uniqueName('chsync_render')
  const sourceTable = uniqueName('render_src')
  const admin = open()
  const pool = new pg.Pool({ connectionString: requireEnv('CHSYNC_POSTGRES_URL'), max: 2, types: sourceTypeParsers })
  const count = 120
  const fields = everyTypeFields(newer)
  const model = (table: string): Model =>
    defineModel({
      importKey: table,
      table,
      fields,
      engine: mergeTree({ orderBy: ['id'] }),
      source: { table: sourceTable, primaryKey: ['id'] },
      columns: { renamed: 'src_name' },
    })

  beforeAll(async () => {
    await admin.client.command({ query: `CREATE DATABASE ${quoteIdentifier(database)}` })
    const sql = everyTypeSource(sourceTable, newer)
    await pool.query(sql.create)
    await pool.query(sql.insert, [count])
  })
  afterAll(async () => {
    await admin.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await admin.client.close()
    await pool.query(`DROP TABLE IF EXISTS ${sourceTable}`)
    await pool.end()
  })

  async function targetFor(m: Model): Promise<SyncTarget> {
    const capabilities = await probeCapabilities(admin)
    const statement = createTableStatement(m, capabilities, database)
    await admin.client.command({ query: statement.sql, clickhouse_settings: statement.settings })
    return { alias: 'default', database: { ...admin, database }, table: m.table, capabilities }
  }

  async function renderedTsv(m: Model): Promise<{ bytes: Buffer; columns: string[] }> {
    const description = await describeSourceTable(pool, m.source)
    const copy = renderedRowsCopy(m, description)
    const client = await pool.connect()
    const parts: Buffer[] = []
    try {
      await pipeline(
        client.query(copyTo(copy.sql)),
        copyBinaryTextColumn(),
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            parts.push(chunk)
            callback()
          },
        }),
      )
    } finally {
      client.release()
    }
    return { bytes: Buffer.concat(parts), columns: copy.columns }
  }

  async function tableRows(table: string): Promise<unknown[]> {
    const result = await admin.client.query({
      query: `SELECT * FROM ${qualifiedTable(database, table)} ORDER BY id`,
      format: 'JSONEachRow',
    })
    return result.json()
  }

  it('gives the rows the JS serializer gives, for every field type', async () => {
    const jsModel = model('by_js')
    const sqlModel = model('by_sql')
    const jsTarget = await targetFor(jsModel)
    const sqlTarget = await targetFor(sqlModel)

    const keys = Array.from({ length: count }, (_, i) => String(i + 1))
    const sourceRows = await fetchRowsByKeys(pool, jsModel.source, keys)
    const rows = keys.map((key) => serializeRow(jsModel, key, sourceRows.get(key) as Record<string, unknown>))
    for (const [index, chunk] of cutChunks({ rows, opIndex: rows.map((_, i) => i) }).entries())
      await insertChunk(jsTarget, chunk.bytes, `js:${index}`, chunk.info.rows)

    const { bytes, columns } = await renderedTsv(sqlModel)
    expect(columns).toContain('absent')
    expect(columns).toContain('renamed')
    await insertChunk(sqlTarget, bytes, 'sql:0', count, { format: 'TabSeparated', columns })

    const expected = await tableRows('by_js')
    expect(expected).toHaveLength(count)
    expect(await tableRows('by_sql')).toEqual(expected)
    // Not only equal: the hard strings arrived as they are.
    const strings = (expected as { s: string; sv: string[] }[]).map((row) => row.s)
    expect(new Set(strings)).toEqual(new Set(TRICKY))
  })

  it('makes a value that does not fit a row ClickHouse rejects, alone', async () => {
    const bad = uniqueName('render_bad')
    await pool.query(
      `CREATE TABLE ${bad} (id bigint PRIMARY KEY, small integer, name text, code varchar(10), v real[])`,
    )
    try {
      await pool.query(`INSERT INTO ${bad} VALUES (1, 1, 'ok', 'ab', '{1,2}'), (2, 300, 'too big', 'ab', '{1,2}'),
        (3, 1, NULL, 'ab', '{1,2}'), (4, 1, 'long code', 'abcdefghij', '{1,2}'), (5, 1, 'short vector', 'ab', '{1}'),
        (6, 2, 'ok too', 'cd', '{3,4}')`)
      const badModel = defineModel({
        importKey: bad,
        table: bad,
        fields: {
          id: f.uInt64(),
          small: f.int8(),
          name: f.string(),
          code: f.fixedString(4),
          v: f.array(f.float32(), { dimension: 2 }),
        },
        engine: mergeTree({ orderBy: ['id'] }),
        source: { table: bad, primaryKey: ['id'] },
      })
      const target = await targetFor(badModel)
      const { bytes, columns } = await renderedTsv(badModel)
      const rejected = await insertChunkBisecting(
        target,
        bytes,
        'bad:0',
        6,
        { importKey: bad, batchId: 'b', model: bad },
        { shape: { format: 'TabSeparated', columns } },
      )
      expect(rejected.map((line) => line.line)).toEqual([1, 2, 3, 4])
      expect(rejected[0]?.error).toContain('small Int8 = 300')
      expect(rejected[1]?.error).toContain('name String = NULL')
      expect(rejected[2]?.error).toContain('code FixedString(4) = abcdefghij')
      expect(rejected[3]?.error).toContain('v Array(Float32) = {1}')
      expect(((await tableRows(bad)) as { id: string }[]).map((row) => String(row.id))).toEqual(['1', '6'])
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${bad}`)
    }
  })
})
