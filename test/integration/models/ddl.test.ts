import { describe, expect, it } from 'vitest'
import { qualifiedTable } from '../../../src/clickhouse/index.js'
import { ConfigError } from '../../../src/errors.js'
import {
  aggregatingMergeTree,
  array,
  dateTime,
  decimal,
  map,
  nullable,
  sql,
  tuple,
  collapsingMergeTree,
  createTableStatement,
  defineModel,
  int8,
  lowCardinality,
  mergeTree,
  replacingMergeTree,
  string,
  summingMergeTree,
  uInt8,
  uInt64,
  versionedCollapsingMergeTree,
  type Engine,
  type Model,
} from '../../../src/models/index.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'
import { scratchDatabase } from '../../utils/scratch-database.js'

const fields = {
  id: uInt64(),
  name: lowCardinality(string()),
  n: uInt64(),
  version: uInt64(),
  sign: int8(),
  is_deleted: uInt8(),
}
type Row = { id: number; name: string; n: number; version: number; sign: number; is_deleted: number }

function model(table: string, engine: Engine<keyof typeof fields>): Model {
  return defineModel({
    importKey: table,
    table,
    fields,
    engine,
    source: { table, primaryKey: ['id'] },
    deletes: 'ignore',
  })
}

const row = (id: number, name: string, n: number, version: number, sign = 1, isDeleted = 0): Row => ({
  id,
  name,
  n,
  version,
  sign,
  is_deleted: isDeleted,
})

/** Each engine with rows to insert and what `SELECT id, name, n … FINAL` must return. */
const cases: {
  name: string
  engine: Engine<keyof typeof fields>
  rows: Row[]
  final: [number, string, number][]
  modernOnly?: boolean
}[] = [
  {
    name: 'MergeTree',
    engine: mergeTree({ orderBy: ['id'] }),
    rows: [row(1, 'a', 1, 1), row(1, 'b', 1, 2)],
    final: [
      [1, 'a', 1],
      [1, 'b', 1],
    ],
  },
  {
    name: 'ReplacingMergeTree',
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    rows: [row(1, 'a', 1, 2), row(1, 'b', 1, 1), row(2, 'c', 1, 1)],
    final: [
      [1, 'a', 1],
      [2, 'c', 1],
    ],
  },
  {
    name: 'ReplacingMergeTree with is_deleted',
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
    rows: [row(1, 'a', 1, 1), row(1, 'a', 1, 2, 1, 1), row(2, 'c', 1, 1)],
    final: [[2, 'c', 1]],
    modernOnly: true,
  },
  {
    name: 'CollapsingMergeTree',
    engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
    rows: [row(1, 'a', 1, 1), row(1, 'a', 1, 1, -1), row(1, 'b', 2, 2), row(2, 'c', 1, 1)],
    final: [
      [1, 'b', 2],
      [2, 'c', 1],
    ],
  },
  {
    name: 'VersionedCollapsingMergeTree',
    engine: versionedCollapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
    rows: [row(1, 'b', 2, 2), row(1, 'a', 1, 1, -1), row(1, 'a', 1, 1), row(2, 'c', 1, 1)],
    final: [
      [1, 'b', 2],
      [2, 'c', 1],
    ],
  },
  {
    name: 'SummingMergeTree',
    engine: summingMergeTree({ orderBy: ['id', 'name'], columns: ['n'] }),
    rows: [row(1, 'a', 1, 1), row(1, 'a', 2, 1), row(2, 'c', 5, 1)],
    final: [
      [1, 'a', 3],
      [2, 'c', 5],
    ],
  },
  {
    name: 'AggregatingMergeTree',
    engine: aggregatingMergeTree({ orderBy: ['id'] }),
    rows: [row(1, 'a', 1, 1), row(2, 'c', 1, 1)],
    final: [
      [1, 'a', 1],
      [2, 'c', 1],
    ],
  },
]

/** Every clause and column option at once: created on each server that has what it uses. */
const everything = defineModel({
  importKey: 'everything',
  table: 'every thing',
  fields: {
    id: uInt64(),
    'created at': dateTime('UTC'),
    kind: string().default("it's").comment('event kind'),
    amount: decimal(18, 2).default(0).codec('ZSTD(1)'),
    tags: array(nullable(string())).default(['a', null]),
    point: tuple(uInt8(), string()).default([1, 'x']),
    attrs: map(string(), uInt64()).default({ a: '1' }),
    flag: uInt8().defaultSQL('1 + 1'),
  },
  engine: mergeTree({
    orderBy: ['id', sql`toDate(\`created at\`)`],
    partitionBy: sql`toYYYYMM(\`created at\`)`,
    primaryKey: ['id'],
    sampleBy: 'id',
    // Far enough ahead that no clock reaches it while the test runs: an expired row would vanish.
    ttl: sql`toDate(\`created at\`) + INTERVAL 50 YEAR`,
    settings: { index_granularity: 8192 },
  }),
  source: { table: 'events', primaryKey: ['id'] },
  deletes: 'ignore',
})

describe.each([
  { target: 'embedded chDB 26.x', open: clickhouseEmbedded },
  { target: 'ClickHouse 18.16 server', open: clickhouseServer },
])('createTableStatement on $target', ({ open }) => {
  const scratch = scratchDatabase(open, 'chsync_ddl')
  const { database, db } = scratch

  it('creates a table with every clause and column option where the server has them, defaults applied', async () => {
    if (!scratch.capabilities.map) {
      expect(() => createTableStatement(everything, scratch.capabilities, database)).toThrow(ConfigError)
      return
    }
    const { sql: ddl, settings } = createTableStatement(everything, scratch.capabilities, database)
    await db.client.command({ query: ddl, clickhouse_settings: settings })
    const table = qualifiedTable(database, 'every thing')
    await db.client.insert({ table, values: [{ id: '1', 'created at': 1_700_000_000 }], format: 'JSONEachRow' })
    const result = await db.client.query({ query: `SELECT * FROM ${table}`, format: 'JSONEachRow' })
    expect(await result.json()).toEqual([
      {
        id: '1',
        'created at': '2023-11-14 22:13:20',
        kind: "it's",
        amount: 0,
        tags: ['a', null],
        point: [1, 'x'],
        attrs: { a: '1' },
        flag: 2,
      },
    ])
  })

  it.each(cases)(
    'creates $name and reads back the merged rows with FINAL',
    async ({ name, engine, rows, final, modernOnly }) => {
      const table = name.replace(/\W+/g, '_').toLowerCase()
      const m = model(table, engine)
      if (modernOnly && !scratch.capabilities.replacingIsDeleted) {
        expect(() => createTableStatement(m, scratch.capabilities, database)).toThrow(ConfigError)
        return
      }
      const { sql, settings } = createTableStatement(m, scratch.capabilities, database)
      expect(sql.includes('non_replicated_deduplication_window')).toBe(
        scratch.capabilities.nonReplicatedDeduplicationWindow,
      )
      await db.client.command({ query: sql, clickhouse_settings: settings })
      // Idempotent: IF NOT EXISTS.
      await db.client.command({ query: sql, clickhouse_settings: settings })
      const values = rows.map((r) =>
        Object.fromEntries(Object.entries(m.fields).map(([k, f]) => [k, f.toClickHouse(r[k as keyof Row])])),
      )
      await db.client.insert({ table: qualifiedTable(database, table), values, format: 'JSONEachRow' })
      const final_ = engine.kind === 'MergeTree' || engine.kind === 'AggregatingMergeTree' ? '' : 'FINAL'
      const result = await db.client.query({
        query: `SELECT toUInt32(id) AS id, toString(name) AS name, toUInt32(n) AS n FROM ${qualifiedTable(database, table)} ${final_} ORDER BY id, name`,
        format: 'JSONEachRow',
      })
      const read = await result.json<{ id: number; name: string; n: number }>()
      expect(read.map((r) => [r.id, r.name, r.n])).toEqual(final)
    },
  )
})
