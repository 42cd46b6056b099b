import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  probeCapabilities,
  qualifiedTable,
  quoteIdentifier,
  type ClickHouseDatabase,
} from '../../../src/clickhouse/index.js'
import { insertChunkBisecting } from '../../../src/sync/insert.js'
import { withoutLanded } from '../../../src/sync/landed.js'
import type { SyncTarget } from '../../../src/sync/runtime.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

const jsonl = (rows: object[]) => Buffer.from(rows.map((row) => JSON.stringify(row) + '\n').join(''))
const identity = { version: 'version', sign: 'sign' }
const context = { importKey: 'k', batchId: 'b1', model: 'm' }
/** A batch's collapsing rows: a new state (+1) per key, and the cancel (−1) of key 1's older state 7. */
const chunk = jsonl([
  { id: 1, version: 7, sign: -1 },
  { id: 1, version: 1_700_000_000_000_001, sign: 1 },
  { id: 2, version: 1_700_000_000_000_002, sign: 1 },
  { id: 3, version: 1_700_000_000_000_003, sign: 1 },
])

describe.each([
  { target: 'embedded ClickHouse 26.x', open: clickhouseEmbedded, tokens: true },
  { target: 'ClickHouse server 18.16', open: clickhouseServer, tokens: false },
])('a retried chunk checked against what landed, on $target', ({ open, tokens }) => {
  const database = uniqueName('chsync_landed')
  const admin: ClickHouseDatabase = open()
  let target: SyncTarget

  async function table(name: string): Promise<SyncTarget> {
    const settings = tokens ? ' SETTINGS non_replicated_deduplication_window = 100' : ''
    await admin.client.command({
      query: `CREATE TABLE ${qualifiedTable(database, name)} (id UInt64, version UInt64, sign Int8)
              ENGINE = CollapsingMergeTree(sign) ORDER BY id${settings}`,
    })
    return { ...target, table: name }
  }

  async function rows(t: SyncTarget): Promise<string[]> {
    const result = await admin.client.query({
      query: `SELECT concat(toString(id), '@', toString(version), '/', toString(sign)) AS r
              FROM ${qualifiedTable(database, t.table)} ORDER BY r`,
      format: 'JSONEachRow',
    })
    return (await result.json<{ r: string }>()).map((row) => row.r)
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

  it('keeps the chunk and its token when nothing of it landed, drops it when all of it did', async () => {
    const t = await table('whole')
    expect(await withoutLanded(t, chunk, 'tok', identity)).toEqual({ bytes: chunk, token: 'tok', lines: [0, 1, 2, 3] })
    await insertChunkBisecting(t, chunk, 'tok', 4, context)
    expect((await withoutLanded(t, chunk, 'tok', identity)).lines).toEqual([])
    // Sent with the check, a landed chunk adds nothing, token or not.
    expect(await insertChunkBisecting(t, chunk, 'tok', 4, context, { recheck: identity })).toEqual([])
    expect(await rows(t)).toHaveLength(4)
  })

  it('sends only the rows not in the table, under a token of their own, and maps refused rows back', async () => {
    const t = await table('partial')
    // Part of the chunk landed (a chunk over several partitions is several parts, one after the other).
    await insertChunkBisecting(
      t,
      jsonl([
        { id: 1, version: 7, sign: -1 },
        { id: 3, version: 1_700_000_000_000_003, sign: 1 },
      ]),
      'x',
      2,
      context,
    )
    const rest = await withoutLanded(t, chunk, 'tok', identity)
    expect(rest.lines).toEqual([1, 2])
    expect(rest.token).toMatch(/^tok\/unlanded:[0-9a-f]{16}$/)

    const withBadRow = Buffer.concat([chunk, jsonl([{ id: 'not a number', version: 9, sign: 1 }])])
    const rejected = await insertChunkBisecting(t, withBadRow, 'tok2', 5, context, { recheck: identity })
    expect(rejected.map((line) => line.line)).toEqual([4])
    expect(await rows(t)).toEqual(['1@1700000000000001/1', '1@7/-1', '2@1700000000000002/1', '3@1700000000000003/1'])
  })
  it('re-sends a chunk whole, for its token, to a table with materialized views (a view may lack it)', async () => {
    const t = await table('viewed')
    const copy = await table('viewed_copy')
    const view = qualifiedTable(database, 'viewed_mv')
    const createView = (filter: string) =>
      admin.client.command({
        query: `CREATE MATERIALIZED VIEW ${view} TO ${qualifiedTable(database, copy.table)}
                AS SELECT id, version, sign FROM ${qualifiedTable(database, t.table)} ${filter}`,
      })
    await createView('WHERE throwIf(id = 2) = 0')
    await expect(insertChunkBisecting(t, chunk, 'tok', 4, context)).rejects.toThrow(/materialized view/)
    expect(await rows(t)).toHaveLength(4)
    await admin.client.command({ query: `DROP TABLE ${view}` })
    await createView('')

    // Every row is in the table, none in the view: skipping them would leave the view without them.
    expect((await withoutLanded(t, chunk, 'tok', identity)).lines).toEqual([0, 1, 2, 3])
    expect(await insertChunkBisecting(t, chunk, 'tok', 4, context, { recheck: identity })).toEqual([])
    expect(await rows(copy)).toHaveLength(4)
    // The token keeps the table at one copy where the server has tokens; 18.x writes it again.
    expect(await rows(t)).toHaveLength(tokens ? 4 : 8)
  })
})
