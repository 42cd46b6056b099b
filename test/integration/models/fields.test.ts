import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { probeCapabilities, qualifiedTable, quoteIdentifier } from '../../../src/clickhouse/index.js'
import {
  array,
  bool,
  createTableStatement,
  date,
  date32,
  dateTime,
  dateTime64,
  decimal,
  defineModel,
  enum8,
  fixedString,
  float32,
  float64,
  int64,
  int128,
  ipv4,
  ipv6,
  lowCardinality,
  map,
  mergeTree,
  nullable,
  string,
  uInt64,
  uInt256,
  uuid,
} from '../../../src/models/index.js'
import { serializeBatch } from '../../../src/serializers/index.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

/** A pg-shaped source row and what ClickHouse returns for it, per column, on every server. */
const oldTypes = {
  fields: {
    id: uInt64(),
    big: int64(),
    price: decimal(12, 2),
    ratio: float64(),
    name: lowCardinality(string()),
    code: fixedString(2),
    ref: uuid(),
    day: date(),
    at: dateTime('Asia/Tokyo'),
    status: enum8({ active: 1, banned: 2 }),
    note: nullable(string()),
    embedding: array(float32(), { dimension: 3 }),
    doc: string(),
  },
  source: {
    id: '1',
    big: '-9223372036854775808',
    price: '1234567890.12',
    ratio: 'NaN',
    name: 'x',
    code: 'DE',
    ref: '6E1F5B1C-7A0E-4A3D-9A8C-0B7C2F3E4D5A',
    day: '2024-02-29',
    at: new Date('2024-01-02T03:04:05Z'),
    status: 2,
    note: null,
    embedding: '[0.5,1,-2]',
    doc: { a: [1, 'b'] },
  },
  read: {
    id: '1',
    big: '-9223372036854775808',
    price: 1234567890.12,
    ratio: null,
    name: 'x',
    code: 'DE',
    ref: '6e1f5b1c-7a0e-4a3d-9a8c-0b7c2f3e4d5a',
    day: '2024-02-29',
    at: '2024-01-02 12:04:05',
    status: 'banned',
    note: null,
    embedding: [0.5, 1, -2],
    doc: '{"a":[1,"b"]}',
  },
}

const newTypes = {
  fields: {
    ...oldTypes.fields,
    huge: uInt256(),
    wide: int128(),
    exact: decimal(38, 10),
    flag: bool(),
    old: date32(),
    precise: dateTime64(6, 'UTC'),
    ancient: dateTime64(3, 'Asia/Tokyo'),
    ip: ipv4(),
    ip6: ipv6(),
    attrs: map(string(), uInt64()),
  },
  source: {
    ...oldTypes.source,
    huge: (2n ** 256n - 1n).toString(),
    wide: '-1',
    exact: '1234567890123456.0123456789',
    flag: 't',
    old: '1900-01-01',
    precise: '2024-01-02 03:04:05.123456+00',
    ancient: '1950-01-01 00:00:00.25Z',
    ip: '10.0.0.1/32',
    ip6: '10.0.0.1',
    attrs: { a: '18446744073709551615' },
  },
  read: {
    ...oldTypes.read,
    huge: (2n ** 256n - 1n).toString(),
    wide: '-1',
    // JSON output prints decimals as doubles; the stored value is checked exactly below.
    exact: 1234567890123456,
    flag: true,
    old: '1900-01-01',
    precise: '2024-01-02 03:04:05.123456',
    ancient: '1950-01-01 09:00:00.250',
    ip: '10.0.0.1',
    ip6: '::ffff:10.0.0.1',
    attrs: { a: '18446744073709551615' },
  },
}

describe.each([
  { target: 'embedded chDB 26.x', open: clickhouseEmbedded, types: newTypes },
  { target: 'ClickHouse 18.16 server', open: clickhouseServer, types: oldTypes },
])('field values on $target', ({ open, types }) => {
  const database = uniqueName('chsync_fields')
  const admin = open()
  const db = open(database)

  beforeAll(async () => {
    await admin.client.command({ query: `CREATE DATABASE ${quoteIdentifier(database)}` })
  })
  afterAll(async () => {
    await admin.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await Promise.all([admin.client.close(), db.client.close()])
  })

  it('inserts what the serializer makes of pg values and reads every type back', async () => {
    const model = defineModel({
      importKey: 'types',
      table: 'types',
      fields: types.fields,
      engine: mergeTree({ orderBy: ['id'] }),
      source: { table: 'types', primaryKey: ['id'] },
      deletes: 'ignore',
    })
    const { sql, settings } = createTableStatement(model, await probeCapabilities(admin), database)
    await db.client.command({ query: sql, clickhouse_settings: settings })
    const batch = serializeBatch(model, {
      operations: [{ kind: 'insert', key: '1', seq: 1 }],
      rows: new Map([['1', types.source]]),
    })
    expect(batch.poison).toEqual([])
    await db.client.insert({ table: qualifiedTable(database, 'types'), values: batch.rows, format: 'JSONEachRow' })
    const result = await db.client.query({
      query: `SELECT * FROM ${qualifiedTable(database, 'types')}`,
      format: 'JSONEachRow',
    })
    expect(await result.json()).toEqual([types.read])
    if ('exact' in types.fields) {
      const exact = await db.client.query({
        query: `SELECT toString(exact) AS exact FROM ${qualifiedTable(database, 'types')}`,
        format: 'JSONEachRow',
      })
      expect(await exact.json()).toEqual([{ exact: '1234567890123456.0123456789' }])
    }
  })
})
