import { describe, expect, it } from 'vitest'
import { ConfigError, PoisonRowError } from '../../../src/errors.js'
import {
  collapsingMergeTree,
  defineModel,
  dateTime,
  defineMultiModel,
  int8,
  mergeTree,
  nullable,
  replacingMergeTree,
  string,
  uInt8,
  uInt32,
  uInt64,
  type SourceRow,
} from '../../../src/models/index.js'
import { needsCurrentState, serializeBatch, serializeUnitBatch } from '../../../src/serializers/index.js'
import type { Operation } from '../../../src/storages/storage.js'

const source = { table: 'users', primaryKey: ['id'] } as const
const fields = { id: uInt64(), name: string(), visits: uInt32().default(0), note: nullable(string()) }

const replacing = defineModel({
  importKey: 'users',
  table: 'users',
  fields: { ...fields, version: uInt64(), is_deleted: uInt8() },
  engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
  source,
  columns: { name: 'full_name' },
})
const collapsing = defineModel({
  importKey: 'users',
  table: 'users_collapsing',
  fields: { ...fields, sign: int8(), version: uInt64() },
  engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
  source,
  columns: { name: (row) => String(row.full_name).toUpperCase() },
})
const plainConfig = {
  importKey: 'users_log',
  table: 'users_log',
  fields: { id: uInt64(), name: string() },
  engine: mergeTree({ orderBy: ['id'] }),
  source,
  columns: { name: 'full_name' },
} as const
const plain = defineModel(plainConfig)

const op = (kind: Operation['kind'], key: string, seq: number): Operation => ({ kind, key, seq })
const rows = new Map<string, SourceRow>([
  ['1', { id: '1', full_name: 'ann', note: null }],
  ['2', { id: '2', full_name: 'bob', visits: 7, note: 'n' }],
])

describe('serializeBatch', () => {
  it('maps columns by name, rename and default, and versions rows by operation sequence', () => {
    const result = serializeBatch(replacing, { operations: [op('insert', '1', 10), op('update', '2', 11)], rows })
    expect(result).toEqual({
      rows: [
        { id: '1', name: 'ann', visits: 0, note: null, version: '10', is_deleted: 0 },
        { id: '2', name: 'bob', visits: 7, note: 'n', version: '11', is_deleted: 0 },
      ],
      opIndex: [0, 1],
      poison: [],
    })
  })

  it('is deterministic: a re-serialized batch gives identical rows', () => {
    const input = { operations: [op('insert', '1', 10), op('delete', '3', 12)], rows }
    expect(JSON.stringify(serializeBatch(replacing, input))).toBe(JSON.stringify(serializeBatch(replacing, input)))
  })

  it('writes a ReplacingMergeTree tombstone with the delete sequence, built from the key', () => {
    const result = serializeBatch(replacing, { operations: [op('delete', '3', 12)], rows })
    expect(result.rows).toEqual([{ id: '3', name: '', visits: 0, note: null, version: '12', is_deleted: 1 }])
  })

  it('treats an insert or update whose source row is gone as a delete', () => {
    const result = serializeBatch(replacing, { operations: [op('update', '9', 13)], rows })
    expect(result.rows).toEqual([{ id: '9', name: '', visits: 0, note: null, version: '13', is_deleted: 1 }])
  })

  it('writes the row of a delete whose source row exists: a late registration never hides a re-insert', () => {
    const result = serializeBatch(replacing, { operations: [op('delete', '2', 14)], rows })
    expect(result.rows).toEqual([{ id: '2', name: 'bob', visits: 7, note: 'n', version: '14', is_deleted: 0 }])
    const ignoring = defineModel({ ...plainConfig, deletes: 'ignore' })
    expect(serializeBatch(ignoring, { operations: [op('delete', '1', 1)], rows }).rows).toEqual([
      { id: '1', name: 'ann' },
    ])
  })

  it('cancels the state ClickHouse holds before writing the new one on a collapsing engine', () => {
    const held = { id: '1', name: 'OLD', visits: 3, note: null, sign: 1, version: '5' }
    const currentState = new Map([['1', held]])
    const result = serializeBatch(collapsing, {
      operations: [op('update', '1', 20), op('delete', '3', 21)],
      rows,
      currentState: new Map([...currentState, ['3', { ...held, id: '3', version: '6' }]]),
    })
    expect(result.rows).toEqual([
      { ...held, sign: -1 },
      { id: '1', name: 'ANN', visits: 0, note: null, sign: 1, version: '20' },
      { ...held, id: '3', version: '6', sign: -1 },
    ])
    expect(result.opIndex).toEqual([0, 0, 1])
  })

  it('writes nothing for a collapsing delete of a key ClickHouse does not hold', () => {
    expect(serializeBatch(collapsing, { operations: [op('delete', '5', 1)], rows }).rows).toEqual([])
  })

  it('rejects a delete on plain MergeTree unless told to ignore it', () => {
    const input = { operations: [op('delete', '3', 1)], rows }
    expect(() => serializeBatch(plain, input)).toThrow(ConfigError)
    expect(() => serializeBatch(plain, input)).toThrow(/MergeTree table users_log cannot express a delete/)
    const ignoring = defineModel({ ...plainConfig, deletes: 'ignore' })
    expect(serializeBatch(ignoring, input).rows).toEqual([])
  })

  it('parks a row that does not fit as poison, naming model, key and column, and keeps the rest', () => {
    const bad = new Map<string, SourceRow>([...rows, ['3', { id: '3', full_name: 'cy', visits: -1 }]])
    const result = serializeBatch(replacing, { operations: [op('insert', '3', 1), op('insert', '1', 2)], rows: bad })
    expect(result.rows.map((row) => row.id)).toEqual(['1'])
    expect(result.poison).toHaveLength(1)
    expect(result.poison[0]?.operation).toEqual(op('insert', '3', 1))
    expect(result.poison[0]?.index).toBe(0)
    expect(result.opIndex).toEqual([1])
    expect(result.poison[0]?.error).toBeInstanceOf(PoisonRowError)
    expect(result.poison[0]?.error.message).toMatch(
      /serialize users.visits for users\/key 3: value -1 does not fit UInt32/,
    )
    expect(result.poison[0]?.error.context).toMatchObject({ importKey: 'users', table: 'users', column: 'visits' })
  })

  it('fails the batch when a mapped source column is missing from every row', () => {
    const input = { operations: [op('insert', '1', 1)], rows: new Map([['1', { id: '1' }]]) }
    expect(() => serializeBatch(replacing, input)).toThrow(/the source row has no column full_name/)
  })

  it('fails on a missing Nullable source column too, unless the field defaults to null', () => {
    const input = { operations: [op('insert', '1', 1)], rows: new Map([['1', { id: '1', full_name: 'a' }]]) }
    expect(() => serializeBatch(replacing, input)).toThrow(/the source row has no column note/)
    const defaulted = defineModel({
      importKey: 'd',
      table: 'd',
      fields: { id: uInt64(), note: nullable(string()).default(null) },
      engine: mergeTree({ orderBy: ['id'] }),
      source,
      deletes: 'ignore',
    })
    expect(serializeBatch(defaulted, input).rows).toEqual([{ id: '1', note: null }])
  })

  it('takes the version from a source column when the model names one', () => {
    const versioned = defineModel({
      importKey: 'v',
      table: 'v',
      fields: { id: uInt64(), version: uInt64(), is_deleted: uInt8() },
      engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
      source,
      version: { column: 'row_version' },
    })
    const input = { operations: [op('update', '1', 3)], rows: new Map([['1', { id: 1, row_version: '77' }]]) }
    expect(serializeBatch(versioned, input).rows).toEqual([{ id: '1', version: '77', is_deleted: 0 }])
    const deletion = {
      operations: [op('delete', '1', 4)],
      rows: new Map(),
      currentState: new Map([['1', { id: '1', version: '77', is_deleted: 0 }]]),
    }
    expect(serializeBatch(versioned, deletion).rows).toEqual([{ id: '1', version: '78', is_deleted: 1 }])
    expect(needsCurrentState(versioned)).toBe(true)
  })

  it('steps a date-time source version one second past the live row for a tombstone', () => {
    const timed = defineModel({
      importKey: 't',
      table: 't',
      fields: { id: uInt64(), updated_at: dateTime('UTC'), is_deleted: uInt8() },
      engine: replacingMergeTree({ orderBy: ['id'], version: 'updated_at', isDeleted: 'is_deleted' }),
      source,
      version: { column: 'updated_at' },
    })
    const live = { id: '1', updated_at: '2024-01-02 03:04:05', is_deleted: 0 }
    const deletion = { operations: [op('delete', '1', 4)], rows: new Map(), currentState: new Map([['1', live]]) }
    expect(serializeBatch(timed, deletion).rows).toEqual([{ id: '1', updated_at: 1_704_164_646, is_deleted: 1 }])
  })
})

describe('needsCurrentState', () => {
  it('is true for collapsing engines and false for a tombstone the key can build', () => {
    expect(needsCurrentState(collapsing)).toBe(true)
    expect(needsCurrentState(replacing)).toBe(false)
    expect(needsCurrentState(plain)).toBe(false)
  })
})

describe('serializeUnitBatch', () => {
  it('feeds every model of a multi-model from one fetch and drops a poison key from all of them', () => {
    const unit = defineMultiModel({ importKey: 'users', source, models: [replacing, collapsing] })
    const bad = new Map<string, SourceRow>([...rows, ['3', { id: '3', full_name: 'cy', visits: 'x' }]])
    const result = serializeUnitBatch(
      { ...unit },
      { operations: [op('insert', '3', 1), op('insert', '1', 2)], rows: bad },
    )
    expect(result.batches.map((batch) => [batch.model.table, batch.rows.map((row) => row.id), batch.opIndex])).toEqual([
      ['users', ['1'], [1]],
      ['users_collapsing', ['1'], [1]],
    ])
    expect(result.poison.map((item) => item.operation.key)).toEqual(['3'])
  })
})
