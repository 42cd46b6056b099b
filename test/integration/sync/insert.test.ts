import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  probeCapabilities,
  qualifiedTable,
  quoteIdentifier,
  type ClickHouseDatabase,
} from '../../../src/clickhouse/index.js'
import { SchemaMismatchError, isNonRetryable } from '../../../src/errors.js'
import { insertChunk, insertChunkBisecting, insertSettings } from '../../../src/sync/insert.js'
import type { SyncTarget } from '../../../src/sync/runtime.js'
import { stringLiteral } from '../../../src/migrations/live-table.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

const jsonl = (rows: object[]) => Buffer.from(rows.map((row) => JSON.stringify(row) + '\n').join(''))
const context = { importKey: 'k', batchId: 'b1', model: 'm' }

describe.each([
  { target: 'embedded ClickHouse 26.x', open: clickhouseEmbedded, tokens: true, embedded: true },
  { target: 'ClickHouse server 18.16', open: clickhouseServer, tokens: false, embedded: false },
])('insertChunk on $target', ({ open, tokens, embedded }) => {
  const database = uniqueName('chsync_insert')
  const admin: ClickHouseDatabase = open()
  let target: SyncTarget

  async function table(name: string, columns: string): Promise<SyncTarget> {
    const settings = target.capabilities.nonReplicatedDeduplicationWindow
      ? ' SETTINGS non_replicated_deduplication_window = 100'
      : ''
    await admin.client.command({
      query: `CREATE TABLE ${qualifiedTable(database, name)} (${columns}) ENGINE = MergeTree ORDER BY id${settings}`,
    })
    return { ...target, table: name }
  }

  async function count(t: SyncTarget): Promise<number> {
    const result = await admin.client.query({
      query: `SELECT count() AS n FROM ${qualifiedTable(database, t.table)}`,
      format: 'JSONEachRow',
    })
    return Number((await result.json<{ n: string }>())[0]?.n)
  }

  beforeAll(async () => {
    await admin.client.command({ query: `CREATE DATABASE ${quoteIdentifier(database)}` })
    target = {
      alias: 'default',
      database: { ...admin, database },
      table: '',
      capabilities: await probeCapabilities(admin),
    }
  })
  afterAll(async () => {
    await admin.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await admin.client.close()
  })

  it('sends only settings the server knows', () => {
    const settings = insertSettings(target, 'tok', 10)
    expect('insert_deduplication_token' in settings).toBe(tokens)
    expect(settings.max_insert_block_size).toBe(1_048_576)
    for (const name of Object.keys(settings)) expect(target.capabilities.settings.has(name)).toBe(true)
  })

  it(`inserts a chunk retried with the same token ${tokens ? 'once' : 'twice (no tokens: the engine must absorb it)'}`, async () => {
    const t = await table('retried', 'id UInt64, name String')
    const bytes = jsonl([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ])
    await insertChunk(t, bytes, 'k:b1:m:0:h', 2)
    await insertChunk(t, bytes, 'k:b1:m:0:h', 2)
    expect(await count(t)).toBe(tokens ? 2 : 4)
  })

  it('inserts into a table whose name needs quoting', async () => {
    const t = await table('odd "name".x', 'id UInt64')
    await insertChunk(t, jsonl([{ id: 1 }, { id: 2 }]), 'k:b1:m:4:h', 2)
    expect(await count(t)).toBe(2)
  })

  it(`sends a plain-named table's chunk ${embedded ? 'zero-copy (chDB raw insert)' : 'over HTTP'}`, async () => {
    const t = await table('raw', 'id UInt64')
    const rawInsert = t.database.rawInsert
    expect(rawInsert !== undefined).toBe(embedded)
    const tables: string[] = []
    const spied = rawInsert && {
      ...t,
      database: {
        ...t.database,
        rawInsert: (params: Parameters<typeof rawInsert>[0]) => {
          tables.push(params.table)
          return rawInsert(params)
        },
      },
    }
    await insertChunk(spied ?? t, jsonl([{ id: 1 }]), 'k:b1:m:5:h', 1)
    expect(tables).toEqual(embedded ? [`${database}.raw`] : [])
    expect(await count(t)).toBe(1)
  })

  it('parks exactly the rows the server rejects and inserts the rest', async () => {
    const t = await table('bisected', 'id UInt64, day Date')
    const bytes = jsonl([
      { id: 1, day: '2024-01-01' },
      { id: 2, day: 'not a date' },
      { id: 3, day: '2024-01-03' },
      { id: 4, day: '2024-01-04' },
      { id: 5, day: 'nope' },
    ])
    const rejected = await insertChunkBisecting(t, bytes, 'k:b1:m:1:h', 5, context)
    expect(rejected.map((r) => r.line)).toEqual([1, 4])
    expect(rejected[0]?.error).toMatch(/parse/i)
    expect(await count(t)).toBe(3)
  })

  /** Parts written by inserts (level 0), merged away or not: one per insert that wrote rows. */
  async function insertedParts(t: SyncTarget): Promise<number> {
    const result = await admin.client.query({
      query:
        `SELECT count() AS n FROM system.parts ` +
        `WHERE database = ${stringLiteral(database)} AND table = ${stringLiteral(t.table)} AND level = 0`,
      format: 'JSONEachRow',
    })
    return Number((await result.json<{ n: string }>())[0]?.n)
  }

  it('parks the rows the server names with one insert past each, not a bisection', async () => {
    const t = await table('named_rows', 'id UInt64, n UInt8')
    const rows = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => ({ id, n: id === 3 || id === 6 ? 'x' : id }))
    const rejected = await insertChunkBisecting(t, jsonl(rows), 'k:b1:m:6:h', 8, context)
    expect(rejected.map((r) => r.line)).toEqual([2, 5])
    expect(rejected[0]?.error).toMatch(/at row 3/)
    expect(await count(t)).toBe(6)
    // The server reports the row it stopped at: the chunk without row 3, then without 3 and 6, the
    // last one writing the six good rows in one part (a bisection writes four parts).
    expect(await insertedParts(t)).toBe(1)
  })

  it('does not bisect a chunk a materialized view rejected after the table took it: retries, then blocks', async () => {
    const t = await table('viewed', 'id UInt64, name String')
    const copy = await table('viewed_copy', 'id UInt64, n UInt8')
    await admin.client.command({
      query: `CREATE MATERIALIZED VIEW ${qualifiedTable(database, 'viewed_mv')} TO ${qualifiedTable(database, copy.table)}
              AS SELECT id, toUInt8(name) AS n FROM ${qualifiedTable(database, t.table)}`,
    })
    // The view cannot cast 'x' (CANNOT_PARSE_TEXT, the code of a malformed input row).
    const bytes = jsonl([1, 2, 3, 4].map((id) => ({ id, name: id === 2 ? 'x' : String(id) })))
    const first = await insertChunkBisecting(t, bytes, 'k:b1:m:7:h', 4, context, { attempt: 1 }).catch(
      (e: unknown) => e,
    )
    expect(first).toBeInstanceOf(Error)
    expect(isNonRetryable(first)).toBe(false)
    expect((first as Error).message).toMatch(new RegExp(`materialized view ${database}\\.viewed_mv`))
    // The table took the chunk once, before the view failed; no half was re-sent, nothing parked.
    expect(await count(t)).toBe(4)
    expect(await count(copy)).toBe(0)

    const last = await insertChunkBisecting(t, bytes, 'k:b1:m:7:h', 4, context, { attempt: 3 }).catch((e: unknown) => e)
    expect(last).toBeInstanceOf(SchemaMismatchError)
    expect((last as SchemaMismatchError).context).toMatchObject({ model: 'm', table: 'viewed', code: '6' })
    expect((last as Error).message).toMatch(/viewed_mv.*on .*viewed.*fix the view, then run chsync resume k/s)
    // The retry carries the first attempt's token: deduplicated where the server has tokens.
    expect(await count(t)).toBe(tokens ? 4 : 8)
  })

  it('throws a SchemaMismatchError naming the table when every row is rejected', async () => {
    const t = await table('all_bad', 'id UInt64, day Date')
    const bytes = jsonl([
      { id: 1, day: 'x' },
      { id: 2, day: 'y' },
    ])
    const error = await insertChunkBisecting(t, bytes, 'k:b1:m:2:h', 2, context).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SchemaMismatchError)
    expect((error as Error).message).toMatch(/every row was rejected/)
    expect(await count(t)).toBe(0)
  })

  it('throws a SchemaMismatchError for a table that does not exist', async () => {
    const missing = { ...target, table: 'no_such_table' }
    const error = await insertChunkBisecting(missing, jsonl([{ id: 1 }]), 'k:b1:m:3:h', 1, context).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(SchemaMismatchError)
    expect((error as SchemaMismatchError).context).toMatchObject({ model: 'm', table: 'no_such_table', code: '60' })
    expect((error as Error).message).toMatch(/^insert into default\.no_such_table for m\/b1: /)
  })
})
