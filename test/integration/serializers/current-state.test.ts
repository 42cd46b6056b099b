import { describe, expect, it } from 'vitest'
import { describeClickHouseError } from '../../../src/clickhouse/errors.js'
import { qualifiedTable } from '../../../src/clickhouse/index.js'
import { SchemaMismatchError, isNonRetryable } from '../../../src/errors.js'
import {
  collapsingMergeTree,
  createTableStatement,
  defineModel,
  int8,
  string,
  uInt64,
} from '../../../src/models/index.js'
import { readCurrentState } from '../../../src/serializers/index.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'
import { scratchDatabase } from '../../utils/scratch-database.js'

const model = defineModel({
  importKey: 'codes',
  table: 'codes',
  fields: { code: string(), sign: int8(), version: uInt64() },
  engine: collapsingMergeTree({ orderBy: ['code'], sign: 'sign', version: 'version' }),
  source: { table: 'codes', primaryKey: ['code'] },
})

/** 10,000 keys of 60 characters: ~640 kB of literals, past the default max_query_size (256 KiB). */
const keys = Array.from({ length: 10_000 }, (_, i) => `${String(i).padStart(6, '0')}-${'k'.repeat(53)}`)

describe.each([
  { target: 'ClickHouse 18.16 server (keys inlined)', open: clickhouseServer },
  { target: 'embedded chDB 26.x (keys bound)', open: clickhouseEmbedded },
])('readCurrentState of a whole batch on $target', ({ open }) => {
  const scratch = scratchDatabase(open, 'chsync_state')

  it('reads 10,000 long string keys without exceeding max_query_size', async () => {
    const { db, database, capabilities } = scratch
    const { sql, settings } = createTableStatement(model, capabilities, database)
    await db.client.command({ query: sql, clickhouse_settings: settings })
    await db.client.insert({
      table: qualifiedTable(database, model.table),
      values: keys.map((code, i) => ({ code, sign: 1, version: String(i + 1) })),
      format: 'JSONEachRow',
    })
    const state = await readCurrentState(db, model, keys, { queryParameters: capabilities.queryParameters })
    expect(state.size).toBe(keys.length)
    expect(state.get(keys[9_999] as string)).toEqual({ code: keys[9_999], sign: 1, version: '10000' })
  })
})

describe('a query past max_query_size (ClickHouse 18.16 server)', () => {
  const scratch = scratchDatabase(clickhouseServer, 'chsync_state')

  // Code 62 says chsync's own query is too long (or malformed) for the server, not that the table
  // does not fit the model: blocking the model would name the wrong fix, and an ALTER cannot help.
  it('is a retryable error naming the server, not a schema mismatch that blocks the model', async () => {
    const query = `SELECT 1 WHERE '' IN (${keys.map((key) => `'${key}'`).join(', ')})`
    const thrown = await scratch.db.client.query({ query }).catch((error: unknown) => error)
    expect(String(thrown)).toMatch(/Max query size exceeded/)
    const error = describeClickHouseError(thrown, 'read the ClickHouse state of codes', { table: 'codes' }, 'http://ch')
    expect(error).not.toBeInstanceOf(SchemaMismatchError)
    expect(isNonRetryable(error)).toBe(false)
    expect(String(error)).toMatch(/ClickHouse at http:\/\/ch: .*Max query size exceeded/)
  })
})
