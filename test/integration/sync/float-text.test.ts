import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { probeCapabilities, qualifiedTable, quoteIdentifier } from '../../../src/clickhouse/index.js'
import { sourceTypeParsers } from '../../../src/source/type-parsers.js'
import { insertChunk } from '../../../src/sync/insert.js'
import { cutChunks } from '../../../src/sync/payload.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'
import { requireEnv } from '../../utils/services-env.js'
import { uniqueName } from '../../utils/names.js'

/**
 * Floats go through the payload bit-exact. PostgreSQL prints small and large `real` values with an
 * exponent, which ClickHouse 18.16 parsed one step off for about one value in five; chsync now sends
 * them as plain decimals. The values: 2,000 `real`s over 70 orders of magnitude, as an embedding
 * column and as scalars, compared bit by bit with PostgreSQL's own float4send.
 */
describe.each([
  { target: 'ClickHouse server 18.16', open: clickhouseServer },
  { target: 'embedded ClickHouse 26.x', open: clickhouseEmbedded },
])('Float32 values sent to $target', ({ open }) => {
  const database = uniqueName('chsync_floats')
  const admin = open()
  const pool = new pg.Pool({ connectionString: requireEnv('CHSYNC_POSTGRES_URL'), max: 2, types: sourceTypeParsers })

  beforeAll(async () => {
    await admin.client.command({ query: `CREATE DATABASE ${quoteIdentifier(database)}` })
  })
  afterAll(async () => {
    await admin.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await admin.client.close()
    await pool.end()
  })

  it('arrive bit for bit as PostgreSQL holds them, in arrays and as scalars', async () => {
    const { rows } = await pool.query<{ id: number; v: number[]; x: number; t: string; bits: string[] }>(`
      SELECT g AS id, ARRAY[f] AS v, f::float8 AS x, f::text AS t, ARRAY[encode(float4send(f), 'hex')] AS bits
      FROM generate_series(1, 2000) g,
           LATERAL (SELECT ((random() * 2 - 1) * power(10, floor(random() * 70 - 40 + 0 * g)))::float4 AS f) r`)
    // `0 * g` correlates the LATERAL: without it PostgreSQL computes one value for all 2000 rows.
    expect(new Set(rows.map((row) => row.t)).size).toBeGreaterThan(1900)
    expect(rows.filter((row) => row.t.includes('e')).length).toBeGreaterThan(1000)
    await admin.client.command({
      query: `CREATE TABLE ${qualifiedTable(database, 'floats')} (id UInt32, v Array(Float32), x Float32) ENGINE = MergeTree ORDER BY id`,
    })
    const target = {
      alias: 'default',
      database: { ...admin, database },
      table: 'floats',
      capabilities: await probeCapabilities(admin),
    }
    const payload = rows.map(({ id, v, x }) => ({ id, v, x }))
    for (const [index, chunk] of cutChunks({ rows: payload, opIndex: rows.map((_, i) => i) }).entries()) {
      await insertChunk(target, chunk.bytes, `floats:${index}`, chunk.info.rows)
    }
    const result = await admin.client.query({
      query: `SELECT id, hex(reinterpretAsString(v[1])) AS a, hex(reinterpretAsString(x)) AS b FROM ${qualifiedTable(database, 'floats')} ORDER BY id`,
      format: 'JSONEachRow',
    })
    const stored = await result.json<{ id: number; a: string; b: string }>()
    // reinterpretAsString drops trailing zero bytes; float4send is big-endian.
    const littleEndian = (hex: string) =>
      (hex.match(/../g) ?? [])
        .reverse()
        .join('')
        .toUpperCase()
        .replace(/(00)+$/, '')
    const wrong = stored.filter((row, i) => {
      const want = littleEndian(rows[i]?.bits[0] ?? '')
      return row.a.replace(/(00)+$/, '') !== want || row.b.replace(/(00)+$/, '') !== want
    })
    expect(stored).toHaveLength(rows.length)
    expect(wrong.slice(0, 5)).toEqual([])
  })
})
