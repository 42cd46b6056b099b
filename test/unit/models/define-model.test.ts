import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import {
  collapsingMergeTree,
  date,
  dateTime,
  defineModel,
  int32,
  int64,
  mergeTree,
  replacingMergeTree,
  string,
  uInt8,
  uInt32,
  uInt64,
  type ModelConfig,
} from '../../../src/models/index.js'
import { users } from '../../fixtures/models/users.js'

const base = {
  importKey: 'm',
  table: 'm',
  fields: { id: uInt64(), name: string(), version: uInt64(), flag: uInt8(), sign: uInt8() },
  engine: mergeTree({ orderBy: ['id'] }),
  source: { table: 'm', primaryKey: ['id'] },
}

describe('defineModel', () => {
  it('resolves defaults for sync settings and the source schema', () => {
    expect(users.sync).toEqual({
      enabled: true,
      batchSize: 10_000,
      syncDelayMs: 5_000,
      storage: 'redis',
      lockTimeoutMs: 120_000,
      chunkRows: 100_000,
    })
    expect(users.source.schema).toBe('public')
    expect(users.fieldForSourceColumn('full_name')).toBe('name')
    expect(users.fieldForSourceColumn('name')).toBeUndefined()
  })

  it.each<{ name: string; patch: Partial<ModelConfig<typeof base.fields>>; message: RegExp }>([
    { name: 'an empty import key', patch: { importKey: '' }, message: /importKey must be a non-empty/ },
    { name: 'no primary key', patch: { source: { table: 'm', primaryKey: [] } }, message: /source.primaryKey/ },
    {
      name: 'an engine column that is not a field',
      patch: { engine: mergeTree({ orderBy: ['nope' as 'id'] }) },
      message: /names column nope, which is not a field/,
    },
    {
      name: 'a version column of the wrong type',
      patch: { engine: replacingMergeTree({ orderBy: ['id'], version: 'name' }) },
      message: /version column name must be an integer or date\/time/,
    },
    {
      name: 'is_deleted without a version',
      patch: { engine: replacingMergeTree({ orderBy: ['id'], isDeleted: 'flag' }) },
      message: /needs a version column/,
    },
    {
      name: 'a sign that is not Int8',
      patch: { engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign' }) },
      message: /sign column sign must be int8/,
    },
    {
      name: 'a primary key that maps to no field on an engine with deletes',
      patch: {
        source: { table: 'm', primaryKey: ['uid'] },
        engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'flag' }),
      },
      message: /primary key column uid must map to a field/,
    },
    { name: 'a zero batch size', patch: { sync: { batchSize: 0 } }, message: /sync.batchSize/ },
    { name: 'a negative sync delay', patch: { sync: { syncDelayMs: -1 } }, message: /sync.syncDelayMs must be/ },
    { name: 'a zero lock timeout', patch: { sync: { lockTimeoutMs: 0 } }, message: /sync.lockTimeoutMs must be/ },
    { name: 'a fractional chunk size', patch: { sync: { chunkRows: 1.5 } }, message: /sync.chunkRows must be/ },
  ])('rejects $name with a ConfigError naming the model', ({ patch, message }) => {
    const define = () => defineModel({ ...base, ...patch })
    expect(define).toThrow(ConfigError)
    expect(define).toThrow(message)
    expect(define).toThrow(/^model m: /)
  })
})

describe('defineModel version columns', () => {
  const narrow = { uInt32: uInt32(), int32: int32(), date: date(), dateTime: dateTime('UTC') }

  // Sequences are µs since the epoch (~1.7e15): in a narrower column every row would be parked.
  it.each(Object.entries(narrow))('refuses a %s version column that cannot hold the sequences', (_, field) => {
    const define = () =>
      defineModel({
        ...base,
        fields: { id: uInt64(), v: field },
        engine: replacingMergeTree({ orderBy: ['id'], version: 'v' }),
      })
    expect(define).toThrow(ConfigError)
    expect(define).toThrow(/^model m: version column v .* cannot hold the storage's sequences .*uInt64\(\)/)
  })

  it('accepts a 64-bit version column, and a narrow one filled from a source version column', () => {
    for (const field of [uInt64(), int64()]) {
      const model = defineModel({
        ...base,
        fields: { id: uInt64(), v: field },
        engine: replacingMergeTree({ orderBy: ['id'], version: 'v' }),
      })
      expect(model.engine.kind).toBe('ReplacingMergeTree')
    }
    const sourced = defineModel({
      ...base,
      fields: { id: uInt64(), v: uInt32() },
      engine: replacingMergeTree({ orderBy: ['id'], version: 'v' }),
      version: { column: 'row_version' },
    })
    expect(sourced.version).toEqual({ column: 'row_version' })
  })
})
