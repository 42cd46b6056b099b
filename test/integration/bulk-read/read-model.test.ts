import { beforeAll, describe, expect, it } from 'vitest'
import { readModel, readModelColumns, countModelRows } from '../../../src/bulk-read/index.js'
import type { ClickHouseDatabase } from '../../../src/clickhouse/index.js'
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
  enum16,
  fixedString,
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  int128,
  int256,
  ipv4,
  ipv6,
  lowCardinality,
  map,
  nullable,
  replacingMergeTree,
  string,
  tuple,
  uInt8,
  uInt16,
  uInt32,
  uInt64,
  uInt128,
  uInt256,
  uuid,
  type Fields,
  type Model,
} from '../../../src/models/index.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'
import { scratchDatabase } from '../../utils/scratch-database.js'
import { writeRound, type Round } from './sync-rounds.js'

/** Every field family ClickHouse 18.16 has, and pg-shaped source rows exercising each one's edges. */
const oldFields = {
  id: uInt64(),
  i8: int8(),
  i16: int16(),
  i32: int32(),
  big: int64(),
  u8: uInt8(),
  u16: uInt16(),
  u32: uInt32(),
  f32: float32(),
  ratio: float64(),
  price: decimal(12, 2),
  small: decimal(9, 3),
  name: lowCardinality(string()),
  code: fixedString(3),
  ref: uuid(),
  day: date(),
  at: dateTime('Asia/Tokyo'),
  status: enum8({ active: 1, banned: -2 }),
  level: enum16({ low: 1000, high: 2000 }),
  note: nullable(string()),
  score: nullable(float64()),
  embedding: array(float32(), { dimension: 3 }),
  tags: array(string()),
  doc: string(),
  version: uInt64(),
}
const oldRows = [
  {
    id: '1',
    i8: -128,
    i16: -32768,
    i32: -2147483648,
    big: '-9223372036854775808',
    u8: 255,
    u16: 65535,
    u32: 4294967295,
    f32: 0.5,
    ratio: -1e300,
    price: '-1234567890.12',
    small: '0.001',
    name: 'ünïcödé',
    code: 'DE',
    ref: '6E1F5B1C-7A0E-4A3D-9A8C-0B7C2F3E4D5A',
    day: '2024-02-29',
    at: new Date('2024-01-02T03:04:05Z'),
    status: -2,
    level: 'high',
    note: null,
    score: 2.5,
    embedding: '[0.5,1,-2]',
    tags: ['a', 'b c', ''],
    doc: { a: [1, 'b'] },
  },
  {
    id: '18446744073709551615',
    i8: 127,
    i16: 32767,
    i32: 2147483647,
    big: '9223372036854775807',
    u8: 0,
    u16: 0,
    u32: 0,
    f32: -3.25,
    ratio: 0,
    price: '0',
    small: '-999999.999',
    name: '',
    code: 'ABC',
    ref: '00000000-0000-0000-0000-000000000000',
    day: '1970-01-01',
    at: new Date('1970-01-01T00:00:00Z'),
    status: 'active',
    level: 1000,
    note: 'x',
    score: null,
    embedding: [0, 0, 0],
    tags: [],
    doc: '',
  },
]

const newFields = {
  ...oldFields,
  wide: int128(),
  huger: int256(),
  u128: uInt128(),
  huge: uInt256(),
  exact: decimal(38, 10),
  widest: decimal(76, 20),
  flag: bool(),
  old: date32(),
  precise: dateTime64(6, 'UTC'),
  ancient: dateTime64(3, 'Asia/Tokyo'),
  ip: ipv4(),
  ip6: ipv6(),
  ip6full: ipv6(),
  attrs: map(string(), uInt64()),
  point: tuple(float64(), string()),
}
const newRows = [
  {
    ...oldRows[0],
    wide: '-170141183460469231731687303715884105728',
    huger: (-(2n ** 255n)).toString(),
    u128: (2n ** 128n - 1n).toString(),
    huge: (2n ** 256n - 1n).toString(),
    exact: '1234567890123456.0123456789',
    widest: '-12345678901234567890123456789012345678901234567890123456.12345678901234567891',
    flag: 't',
    old: '1900-01-01',
    precise: '2024-01-02 03:04:05.123456+00',
    ancient: '1950-01-01 00:00:00.25Z',
    ip: '10.0.0.1/32',
    ip6: '10.0.0.1',
    ip6full: '2001:DB8::1',
    attrs: { a: '18446744073709551615', b: 0 },
    point: [1.5, 'p'],
  },
  {
    ...oldRows[1],
    wide: '0',
    huger: '1',
    u128: '0',
    huge: '0',
    exact: '-0.0000000001',
    widest: '0',
    flag: false,
    old: '2299-12-31',
    precise: '1969-12-31 23:59:59.999999Z',
    ancient: '2024-06-01 12:00:00+09',
    ip: '255.255.255.255',
    ip6: '::',
    ip6full: 'fe80::1:0:0:ff',
    attrs: {},
    point: [-0.25, ''],
  },
]

/** What the serializer makes of a value: equal for the source value and the value read back. */
function serialized(fields: Fields, row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).map(([name, field]) => [name, field.toClickHouse(row[name])]))
}

function insertRound(rows: readonly Record<string, unknown>[], seq: number): Round {
  return {
    operations: rows.map((row, index) => ({ kind: 'insert' as const, key: String(row.id), seq: seq + index })),
    rows: new Map(rows.map((row) => [String(row.id), row])),
  }
}

async function createTable(db: ClickHouseDatabase, admin: ClickHouseDatabase, model: Model): Promise<void> {
  const { probeCapabilities } = await import('../../../src/clickhouse/index.js')
  const { sql, settings } = createTableStatement(model, await probeCapabilities(admin), db.database)
  await db.client.command({ query: sql, clickhouse_settings: settings })
}

async function collect<T>(batches: AsyncIterable<T[]>): Promise<T[]> {
  const rows: T[] = []
  for await (const batch of batches) rows.push(...batch)
  return rows
}

describe.each([
  { target: 'embedded chDB 26.x', open: clickhouseEmbedded, fields: newFields, rows: newRows, modern: true },
  { target: 'ClickHouse 18.16 server', open: clickhouseServer, fields: oldFields, rows: oldRows, modern: false },
])('readModel on $target', ({ open, fields, rows, modern }) => {
  const scratch = scratchDatabase(open, 'chsync_bulk_read')
  const model = defineModel({
    importKey: 'types',
    table: 'types',
    fields: fields,
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    source: { table: 'types', primaryKey: ['id'] },
    deletes: 'ignore',
  })

  beforeAll(async () => {
    await createTable(scratch.db, scratch.admin, model)
    await writeRound(scratch.db, model, insertRound(rows, 1), scratch.capabilities.queryParameters)
  })

  it('reads back every field type as the values that were synced', async () => {
    const read = await collect(readModel(scratch.db, model))
    read.sort((a, b) => (a.id < b.id ? -1 : 1))
    expect(read).toHaveLength(2)
    rows.forEach((source, index) => {
      const { version: _, ...written } = serialized(fields, { ...source, version: '0' })
      const { version: __, ...back } = serialized(fields, read[index] as Record<string, unknown>)
      expect(back).toEqual(written)
    })
  })

  it('returns each type as its documented JS value', async () => {
    const [row] = await collect(readModel(scratch.db, model, { where: { sql: 'id = {id:UInt64}', params: { id: 1 } } }))
    expect(row).toMatchObject({
      id: 1n,
      i8: -128,
      big: -9223372036854775808n,
      f32: 0.5,
      price: '-1234567890.12',
      small: '0.001',
      name: 'ünïcödé',
      code: 'DE',
      ref: '6e1f5b1c-7a0e-4a3d-9a8c-0b7c2f3e4d5a',
      day: '2024-02-29',
      at: new Date('2024-01-02T03:04:05Z'),
      status: 'banned',
      level: 'high',
      note: null,
      embedding: [0.5, 1, -2],
      tags: ['a', 'b c', ''],
      doc: '{"a":[1,"b"]}',
    })
    if (modern)
      expect(row).toMatchObject({
        wide: -(2n ** 127n),
        huge: 2n ** 256n - 1n,
        exact: '1234567890123456.0123456789',
        flag: true,
        old: '1900-01-01',
        precise: '2024-01-02T03:04:05.123456Z',
        ancient: '1950-01-01T00:00:00.250Z',
        ip: '10.0.0.1',
        ip6: '::ffff:10.0.0.1',
        ip6full: '2001:db8::1',
        attrs: { a: 18446744073709551615n, b: 0n },
        point: [1.5, 'p'],
      })
  })

  it('reads columns into typed arrays and an embedding into one Float32Array', async () => {
    const { rows: count, columns } = await readModelColumns(scratch.db, model, {
      columns: ['id', 'i8', 'u16', 'big', 'f32', 'ratio', 'embedding', 'name', 'note'],
      where: { sql: 'id >= {min:UInt64}', params: { min: 0 } },
    })
    expect(count).toBe(2)
    const order = columns.id[0] === 1n ? [0, 1] : [1, 0]
    expect(columns.id).toBeInstanceOf(BigUint64Array)
    expect(columns.i8).toBeInstanceOf(Int8Array)
    expect(columns.u16).toBeInstanceOf(Uint16Array)
    expect(columns.big).toBeInstanceOf(BigInt64Array)
    expect(columns.f32).toBeInstanceOf(Float32Array)
    expect(columns.ratio).toBeInstanceOf(Float64Array)
    expect([...order.map((i) => columns.i8[i])]).toEqual([-128, 127])
    expect(columns.embedding.values).toBeInstanceOf(Float32Array)
    expect(columns.embedding.dimension).toBe(3)
    const first = order[0] as number
    expect([...columns.embedding.values.subarray(first * 3, first * 3 + 3)]).toEqual([0.5, 1, -2])
    expect(order.map((i) => columns.note[i])).toEqual([null, 'x'])
  })

  it('binds or escapes a where value that would break out of a pasted literal', async () => {
    const hostile = "x' OR 1 = 1 OR name = '"
    const read = await collect(
      readModel(scratch.db, model, { where: { sql: 'name = {name:String}', params: { name: hostile } } }),
    )
    expect(read).toEqual([])
    expect(
      await countModelRows(scratch.db, model, { where: { sql: 'code = {code:String}', params: { code: 'ABC' } } }),
    ).toBe(1)
  })

  it('refuses an unknown column, naming it and the model', async () => {
    await expect(collect(readModel(scratch.db, model, { columns: ['nope' as 'id'] }))).rejects.toThrow(
      /read of types: unknown column "nope"/,
    )
  })
})
