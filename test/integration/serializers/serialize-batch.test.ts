import { describe, expect, it } from 'vitest'
import { qualifiedTable } from '../../../src/clickhouse/index.js'
import {
  collapsingMergeTree,
  createTableStatement,
  dateTime,
  defineModel,
  defineMultiModel,
  ModelRegistry,
  int8,
  replacingMergeTree,
  string,
  uInt8,
  uInt64,
  versionedCollapsingMergeTree,
  type Model,
  type SourceRow,
} from '../../../src/models/index.js'
import {
  needsCurrentState,
  readCurrentState,
  serializeBatch,
  serializeUnitBatch,
} from '../../../src/serializers/index.js'
import type { Operation } from '../../../src/storages/storage.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'
import { scratchDatabase } from '../../utils/scratch-database.js'

const source = { table: 'users', primaryKey: ['id'] } as const

const collapsing = defineModel({
  importKey: 'users',
  table: 'users_collapsing',
  fields: { id: uInt64(), name: string(), seen: dateTime('Asia/Tokyo'), sign: int8(), version: uInt64() },
  engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
  source,
})
const versioned = defineModel({
  importKey: 'members',
  table: 'members',
  fields: { org: uInt64(), login: string(), name: string(), sign: int8(), version: uInt64() },
  engine: versionedCollapsingMergeTree({ orderBy: ['org', 'login'], sign: 'sign', version: 'version' }),
  source: { table: 'members', primaryKey: ['org', 'login'] },
})
const replacing = defineModel({
  importKey: 'users',
  table: 'users_replacing',
  fields: { id: uInt64(), name: string(), version: uInt64(), is_deleted: uInt8() },
  engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
  source,
})

/** A multi-model: one source table feeding a ReplacingMergeTree table and a collapsing one. */
const multiLatest = defineModel({
  importKey: 'accounts',
  table: 'accounts_latest',
  fields: { id: uInt64(), name: string(), version: uInt64() },
  engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
  source: { table: 'accounts', primaryKey: ['id'] },
  deletes: 'ignore',
})
const multiNames = defineModel({
  importKey: 'accounts',
  table: 'accounts_names',
  fields: { id: uInt64(), upper: string(), sign: int8(), version: uInt64() },
  engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
  source: { table: 'accounts', primaryKey: ['id'] },
  columns: { upper: (row) => String(row.name).toUpperCase() },
})
const accounts = defineMultiModel({
  importKey: 'accounts',
  source: { table: 'accounts', primaryKey: ['id'] },
  models: [multiLatest, multiNames],
})

describe.each([
  { target: 'embedded chDB 26.x', open: clickhouseEmbedded },
  { target: 'ClickHouse 18.16 server', open: clickhouseServer },
])('delete semantics on $target', ({ open }) => {
  const scratch = scratchDatabase(open, 'chsync_ser')
  const { database, db } = scratch

  /** One sync round as the workflow runs it: read state if needed, serialize, insert. */
  async function round(model: Model, operations: Operation[], rows: Map<string, SourceRow>) {
    const keys = operations.map((operation) => operation.key)
    const currentState = needsCurrentState(model)
      ? await readCurrentState(db, model, keys, { queryParameters: scratch.capabilities.queryParameters })
      : undefined
    const batch = serializeBatch(model, { operations, rows, ...(currentState ? { currentState } : {}) })
    expect(batch.poison).toEqual([])
    await db.client.insert({ table: qualifiedTable(database, model.table), values: batch.rows, format: 'JSONEachRow' })
    return batch
  }

  async function final(model: Model, columns: string): Promise<unknown[]> {
    const result = await db.client.query({
      query: `SELECT ${columns} FROM ${qualifiedTable(database, model.table)} FINAL ORDER BY ${columns}`,
      format: 'JSONEachRow',
    })
    return result.json()
  }

  async function create(model: Model) {
    const { sql, settings } = createTableStatement(model, scratch.capabilities, database)
    await db.client.command({ query: sql, clickhouse_settings: settings })
  }

  it('cancels the state ClickHouse holds on CollapsingMergeTree (update, then delete)', async () => {
    await create(collapsing)
    const seen = new Date('2024-01-02T03:04:05Z')
    await round(
      collapsing,
      [
        { kind: 'insert', key: '1', seq: 1 },
        { kind: 'insert', key: '2', seq: 2 },
      ],
      new Map([
        ['1', { id: '1', name: 'ann', seen }],
        ['2', { id: '2', name: 'bob', seen }],
      ]),
    )
    const state = await readCurrentState(db, collapsing, ['1', '2', '3'], {
      queryParameters: scratch.capabilities.queryParameters,
    })
    expect([...state.keys()].sort()).toEqual(['1', '2'])
    expect(state.get('1')).toMatchObject({ id: '1', name: 'ann', sign: 1, version: '1' })
    const update = await round(
      collapsing,
      [{ kind: 'update', key: '1', seq: 3 }],
      new Map([['1', { id: '1', name: 'ann2', seen }]]),
    )
    expect(update.rows.map((row) => row.sign)).toEqual([-1, 1])
    await round(collapsing, [{ kind: 'delete', key: '2', seq: 4 }], new Map())
    expect(await final(collapsing, 'id, name, toUnixTimestamp(seen) AS seen')).toEqual([
      { id: '1', name: 'ann2', seen: seen.getTime() / 1000 },
    ])
  })

  it('cancels by a composite key on VersionedCollapsingMergeTree', async () => {
    await create(versioned)
    const key = (org: number, login: string) => JSON.stringify([String(org), login])
    await round(
      versioned,
      [
        { kind: 'insert', key: key(1, "o'hara"), seq: 1 },
        { kind: 'insert', key: key(2, 'x'), seq: 2 },
      ],
      new Map<string, SourceRow>([
        [key(1, "o'hara"), { org: 1, login: "o'hara", name: 'a' }],
        [key(2, 'x'), { org: 2, login: 'x', name: 'b' }],
      ]),
    )
    await round(versioned, [{ kind: 'delete', key: key(1, "o'hara"), seq: 3 }], new Map())
    expect(await final(versioned, 'org, login, name')).toEqual([{ org: '2', login: 'x', name: 'b' }])
  })

  it('feeds both tables of a multi-model from one fetch', async () => {
    for (const model of accounts.models) await create(model)
    const unit = new ModelRegistry([accounts]).get('accounts')
    const rows = new Map<string, SourceRow>([
      ['1', { id: 1, name: 'ann' }],
      ['2', { id: 2, name: 'bob' }],
    ])
    const batch = serializeUnitBatch(unit, {
      operations: [
        { kind: 'insert', key: '1', seq: 1 },
        { kind: 'insert', key: '2', seq: 2 },
      ],
      rows,
    })
    expect(batch.poison).toEqual([])
    for (const { model, rows: values } of batch.batches)
      await db.client.insert({ table: qualifiedTable(database, model.table), values, format: 'JSONEachRow' })
    expect(await final(multiLatest, 'id, name')).toEqual([
      { id: '1', name: 'ann' },
      { id: '2', name: 'bob' },
    ])
    expect(await final(multiNames, 'id, upper')).toEqual([
      { id: '1', upper: 'ANN' },
      { id: '2', upper: 'BOB' },
    ])
  })

  it('writes a tombstone on ReplacingMergeTree with is_deleted where the server has it', async () => {
    if (!scratch.capabilities.replacingIsDeleted) {
      expect(() => createTableStatement(replacing, scratch.capabilities, database)).toThrow(/needs ClickHouse ≥ 23.2/)
      return
    }
    await create(replacing)
    await round(
      replacing,
      [
        { kind: 'insert', key: '1', seq: 1 },
        { kind: 'insert', key: '2', seq: 2 },
      ],
      new Map([
        ['1', { id: 1, name: 'ann' }],
        ['2', { id: 2, name: 'bob' }],
      ]),
    )
    await round(replacing, [{ kind: 'delete', key: '1', seq: 3 }], new Map())
    expect(await final(replacing, 'id, name')).toEqual([{ id: '2', name: 'bob' }])
  })
})
