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
import { requireEnv } from '../../../utils/services-env.js'

/**
 * The SQL renderer against the JS serializer, value for value: the same source rows, rendered by
 * PostgreSQL into TSV and serialized by JavaScript into JSONEachRow, give identical ClickHouse rows.
 */

const TRICKY = [
  'plain',
  'tab\there',
  'line\nfeed',
  'carriage\rreturn',
  'back\\slash \\N \\t',
  "quote ' and \\'",
  'unicode é ✓ 🙂',
  '',
  '[not, an array]',
]

/** Columns every ClickHouse version has (the 18.16 server), and the source table they come from. */
const COMMON_SQL = `id bigint PRIMARY KEY, i8 smallint NOT NULL, u32 integer NOT NULL, i64 bigint NOT NULL,
  u64 numeric NOT NULL, f32 real NOT NULL, f64 double precision NOT NULL, dec numeric(18,4) NOT NULL, s text NOT NULL,
  fs varchar(8) NOT NULL, u uuid NOT NULL, d date NOT NULL, dt timestamptz NOT NULL, e text NOT NULL, ns text,
  lc text NOT NULL, src_name text NOT NULL, fv real[] NOT NULL, sv text[] NOT NULL, nv integer[] NOT NULL,
  iv bigint[] NOT NULL, nf double precision`

const commonFields = {
  id: f.uInt64(),
  i8: f.int8(),
  u32: f.uInt32(),
  i64: f.int64(),
  u64: f.uInt64(),
  f32: f.float32(),
  f64: f.float64(),
  dec: f.decimal(18, 4),
  s: f.string(),
  fs: f.fixedString(8),
  u: f.uuid(),
  d: f.date(),
  dt: f.dateTime('UTC'),
  e: f.enum8({ a: 1, "b'c": 2, 'd\\e': 3 }),
  ns: f.string().nullable(),
  lc: f.string().lowCardinality(),
  renamed: f.string(),
  fv: f.array(f.float32()),
  sv: f.array(f.string()),
  nv: f.array(f.int32().nullable()),
  iv: f.array(f.int64()),
  nf: f.float64().nullable(),
  absent: f.uInt32().default(7),
}

/** Row generator for the common columns: PostgreSQL expressions over g = 1..n. */
const COMMON_ROWS = `SELECT g, (g % 256 - 128)::smallint, g * 1000, -g * 1000000000000, (g::numeric * 1e15)::numeric,
  (ARRAY[0.1, -2.5e-05, 3.4e38, 1e-40, 123456.79, 0]::real[])[g % 6 + 1],
  (ARRAY[0.1, 1e-7, 1e21, -123.456, 5e-324, 2.2250738585072014e-308]::float8[])[g % 6 + 1],
  (ARRAY[0, 1.5, -1234567890.5678, 0.0001, 99.9900]::numeric[])[g % 5 + 1],
  (ARRAY[${TRICKY.map((s) => pg.escapeLiteral(s)).join(', ')}])[g % ${TRICKY.length} + 1],
  left(md5(g::text), g % 9), md5(g::text)::uuid, DATE '1970-01-01' + (g * 997 % 60000),
  TIMESTAMPTZ '2001-09-09 01:46:40+00' + g * INTERVAL '1 day 1.234 second',
  (ARRAY['a', 'b''c', 'd\\e'])[g % 3 + 1], CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END,
  'lc' || (g % 4), 'r' || g,
  CASE WHEN g % 2 = 0 THEN ARRAY[g * 0.5, 1.25] ELSE ARRAY[g * 0.5, -1e-10, 3.4e38] END::real[],
  ARRAY[(ARRAY[${TRICKY.map((s) => pg.escapeLiteral(s)).join(', ')}])[g % ${TRICKY.length} + 1], 'x'],
  CASE WHEN g % 2 = 0 THEN ARRAY[1, NULL, -3] ELSE ARRAY[]::integer[] END, ARRAY[9223372036854775807, -g],
  CASE g % 4 WHEN 0 THEN NULL WHEN 1 THEN 'NaN' WHEN 2 THEN '-Infinity' ELSE 1e300 END
  FROM generate_series(1, $1::int) g`

/** Columns only newer servers (chDB 26.x) have. */
const NEWER_SQL = `, b boolean NOT NULL, ip6 inet NOT NULL, ip4 inet NOT NULL, t64 timestamptz NOT NULL,
  t64tz timestamp NOT NULL, d32 date NOT NULL, nd date`
const newerFields = {
  b: f.bool(),
  ip6: f.ipv6(),
  ip4: f.ipv4(),
  t64: f.dateTime64(3, 'UTC'),
  t64tz: f.dateTime64(6, 'Asia/Tokyo'),
  d32: f.date32(),
  nd: f.date().nullable(),
}
const NEWER_ROWS = `, g % 2 = 0, (ARRAY['::1', '10.0.0.1', '2001:DB8::AB/128', '192.168.1.1/32'])[g % 4 + 1]::inet,
  (ARRAY['10.0.0.1', '192.168.1.1/32'])[g % 2 + 1]::inet,
  TIMESTAMPTZ '1999-12-31 23:59:59.5+00' + g * INTERVAL '37 days 0.001 second',
  TIMESTAMP '1969-07-20 20:17:40.123' + g * INTERVAL '101 days', DATE '1900-01-01' + g * 401,
  CASE WHEN g % 2 = 0 THEN NULL ELSE DATE '2024-02-29' END`

describe.each([
  { target: 'ClickHouse server 18.16', open: clickhouseServer, newer: false },
  { target: 'embedded ClickHouse 26.x', open: clickhouseEmbedded, newer: true },
])('rows PostgreSQL renders, on $target', ({ open, newer }) => {
  const database = uniqueName('chsync_render')
  const sourceTable = uniqueName('render_src')
  const admin = open()
  const pool = new pg.Pool({ connectionString: requireEnv('CHSYNC_POSTGRES_URL'), max: 2, types: sourceTypeParsers })
  const count = 120
  const fields = newer ? { ...commonFields, ...newerFields } : commonFields
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
    await pool.query(`CREATE TABLE ${sourceTable} (${COMMON_SQL}${newer ? NEWER_SQL : ''})`)
    await pool.query(
      `INSERT INTO ${sourceTable} ${COMMON_ROWS.replace('FROM generate_series', `${newer ? NEWER_ROWS : ''} FROM generate_series`)}`,
      [count],
    )
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
        { format: 'TabSeparated', columns },
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
