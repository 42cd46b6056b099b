import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type pg from 'pg'
import {
  collapsingMergeTree,
  defineModel,
  int32,
  int8,
  replacingMergeTree,
  string,
  uInt64,
  uInt8,
  uuid,
  type Model,
} from '../../src/models/index.js'
import { qualifiedTable, type ClickHouseDatabase } from '../../src/clickhouse/index.js'
import { startBackfill, type BackfillWorkflowHandle } from '../../src/app/temporal/backfill-workflows.js'
import type { BackfillStatus } from '../../workflows/backfill-types.js'
import { backfillStatusQuery, pauseSignal, resumeSignal } from '../../workflows/messages.js'
import { clickhouseEmbedded, clickhouseServer, postgresPool } from '../utils/clients.js'
import { clickhouseRows, createTables, duplicateCount, sourceRows } from '../utils/e2e.js'
import { uniqueName } from '../utils/names.js'
import { SyncHarness } from '../utils/sync-harness.js'
import { waitUntil } from '../utils/wait-until.js'

/**
 * Backfill on the real services (PostgreSQL, Redis, Temporal, chDB 26.x and the 18.16 server): existing
 * rows copied range by range while live sync goes on, ending exact row by row.
 */

const embedded = clickhouseEmbedded()
const database = uniqueName('chsync_backfill')
let pool: pg.Pool

beforeAll(() => {
  pool = postgresPool()
})
afterAll(async () => {
  await pool?.end()
  await embedded.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` })
  await embedded.client.close()
})

/** Runs a backfill of `importKey` to its end and returns its last status. */
async function backfill(harness: SyncHarness, importKey: string, rangeRows: number): Promise<BackfillStatus> {
  const handle = await startBackfill(harness.client, harness.config.temporal, importKey, { parallel: 3, rangeRows })
  return await handle.result()
}

/** Polls a backfill's status until `predicate` holds. */
async function until(
  handle: BackfillWorkflowHandle,
  predicate: (status: BackfillStatus) => boolean,
): Promise<BackfillStatus> {
  let matched: BackfillStatus | undefined
  await waitUntil('backfill status', async () => {
    matched = await handle.query(backfillStatusQuery)
    return predicate(matched)
  })
  return matched as BackfillStatus
}

/** Keys whose signs do not sum to 0 or 1: two live +1 rows for one key break collapsing. */
async function brokenSigns(ch: ClickHouseDatabase, table: string): Promise<number> {
  const rows = await (
    await ch.client.query({
      query: `SELECT count() AS n FROM (SELECT id, sum(sign) AS s FROM ${qualifiedTable(database, table)} GROUP BY id) WHERE s NOT IN (0, 1)`,
      format: 'JSONEachRow',
    })
  ).json<{ n: string }>()
  return Number(rows[0]?.n)
}

/** The users model on each engine, with what identifies a raw row (duplicates are counted on it). */
const ENGINES = {
  replacing: {
    model: (common: Common): Model =>
      defineModel({
        ...common,
        fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), is_deleted: uInt8() },
        engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
      }),
    identity: ['version'],
  },
  collapsing: {
    model: (common: Common): Model =>
      defineModel({
        ...common,
        fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), sign: int8() },
        engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
      }),
    identity: ['version', 'sign'],
  },
} as const

interface Common {
  importKey: string
  table: string
  source: { table: string; primaryKey: string[] }
  sync: { batchSize: number; syncDelayMs: number }
}

describe.each([
  { engine: 'replacing' as const, target: 'chDB' },
  { engine: 'collapsing' as const, target: 'chDB' },
  // No tokens and no is_deleted on 18.16: collapsing is the engine live sync and backfill share there.
  { engine: 'collapsing' as const, target: 'server 18.16' },
])('backfill beside live sync ($engine, $target)', ({ engine, target }) => {
  const ch = target === 'chDB' ? embedded : clickhouseServer()
  const table = uniqueName(`bf_${engine}`)
  const importKey = uniqueName(`bf_${engine}`)
  const rows = 50_000
  const { identity } = ENGINES[engine]
  const model = ENGINES[engine].model({
    importKey,
    table: `users_${engine}`,
    source: { table, primaryKey: ['id'] },
    sync: { batchSize: 500, syncDelayMs: 200 },
  })
  let harness: SyncHarness

  beforeAll(async () => {
    await pool.query(`CREATE TABLE "${table}" (id bigint PRIMARY KEY, name text NOT NULL, score int NOT NULL)`)
    await pool.query(`INSERT INTO "${table}" SELECT g, 'user ' || g, g FROM generate_series(1, $1::int) g`, [rows])
    harness = new SyncHarness(ch, { default: database }, [model])
    await createTables(ch, database, [model])
    await harness.start()
  })
  afterAll(async () => {
    await harness?.stop()
    await pool.query(`DROP TABLE IF EXISTS "${table}"`)
    if (ch !== embedded) {
      await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` })
      await ch.client.close()
    }
  })

  it('ends exact row by row with inserts, updates and deletes written while it runs', async () => {
    const live = await harness.sync(importKey)
    const change = (sql: string, kind: 'insert' | 'update' | 'delete') => harness.change(pool, importKey, sql, kind)
    /** Changes spread over the whole table (every range), tagged `step`. */
    const spread = async (step: number) => {
      await change(`UPDATE "${table}" SET name = 'step ${step}', score = score + 1 WHERE id % 211 = ${step}`, 'update')
      await change(`DELETE FROM "${table}" WHERE id % 223 = ${step}`, 'delete')
    }
    // Live rows in every range before any copy: the copy must neither double (collapsing) nor override them.
    await spread(1)
    expect(await harness.flush(live)).toEqual({ synced: true, backlog: 0 })

    const handle = await startBackfill(harness.client, harness.config.temporal, importKey, {
      parallel: 2,
      rangeRows: 2500,
    })
    // Half-way (paused, so deterministically between copies): live rows in copied and uncopied ranges.
    await until(handle, (s) => s.rangesDone >= 4)
    await handle.signal(pauseSignal)
    await until(handle, (s) => s.state === 'paused' && s.rangesInFlight === 0)
    await spread(2)
    expect(await harness.flush(live)).toEqual({ synced: true, backlog: 0 })
    await handle.signal(resumeSignal)

    // And racing the copies: writes land before, inside and after the ranges in flight until the end.
    let round = 0
    const writing = (async () => {
      for (;;) {
        const status = await handle.query(backfillStatusQuery)
        if (status.state === 'done') return status
        round += 1
        const at = 1 + ((round * 7919) % rows)
        await change(
          `UPDATE "${table}" SET name = 'updated ' || ${round}, score = -score WHERE id BETWEEN ${at} AND ${at + 30}`,
          'update',
        )
        await change(`DELETE FROM "${table}" WHERE id BETWEEN ${at + 40} AND ${at + 45}`, 'delete')
        await change(
          `INSERT INTO "${table}" SELECT g, 'new ' || g, g FROM generate_series(${rows + round * 10}, ${rows + round * 10 + 9}) g`,
          'insert',
        )
      }
    })()
    const done = await writing
    expect(done).toMatchObject({ state: 'done', method: 'key' })
    // A change to backfilled rows after the backfill: live sync cancels / replaces them.
    await change(`UPDATE "${table}" SET score = score + 1000000 WHERE id % 997 = 0`, 'update')
    await change(`DELETE FROM "${table}" WHERE id % 1009 = 0`, 'delete')
    expect(await harness.flush(live)).toEqual({ synced: true, backlog: 0 })

    const expected = await sourceRows(pool, table, ['name', 'score'])
    const found = await clickhouseRows(ch, database, model.table, ['name', 'score'], engine)
    expect(found.size).toBe(expected.size)
    expect(found).toEqual(expected)
    expect(await duplicateCount(ch, database, model.table, identity)).toBe(0)
    if (engine === 'collapsing') expect(await brokenSigns(ch, model.table)).toBe(0)
  })
})

describe('backfill of other key shapes', () => {
  const tables = { composite: uniqueName('bf_comp'), uuid: uniqueName('bf_uuid'), empty: uniqueName('bf_empty') }
  const keys = { composite: uniqueName('bf_comp'), uuid: uniqueName('bf_uuid'), empty: uniqueName('bf_empty') }
  const composite = defineModel({
    importKey: keys.composite,
    table: 'regions',
    fields: { region: string(), n: int32(), label: string(), version: uInt64(), is_deleted: uInt8() },
    engine: replacingMergeTree({ orderBy: ['region', 'n'], version: 'version', isDeleted: 'is_deleted' }),
    source: { table: tables.composite, primaryKey: ['region', 'n'], where: `region <> 'skip'` },
    sync: { syncDelayMs: 60_000 },
  })
  const uuids = defineModel({
    importKey: keys.uuid,
    table: 'tokens',
    fields: { id: uuid(), label: string(), version: uInt64(), is_deleted: uInt8() },
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
    source: { table: tables.uuid, primaryKey: ['id'] },
    sync: { syncDelayMs: 60_000 },
  })
  const empty = defineModel({
    importKey: keys.empty,
    table: 'nothing',
    fields: { id: uInt64(), label: string(), version: uInt64(), is_deleted: uInt8() },
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
    source: { table: tables.empty, primaryKey: ['id'] },
    sync: { syncDelayMs: 60_000 },
  })
  let harness: SyncHarness

  beforeAll(async () => {
    await pool.query(
      `CREATE TABLE "${tables.composite}" (region text, n int, label text NOT NULL, PRIMARY KEY (region, n))`,
    )
    await pool.query(
      `INSERT INTO "${tables.composite}" SELECT r, g, r || ':' || g FROM unnest(ARRAY['eu', 'us', 'it''s', 'tab\tnew\nline', 'skip']) r, generate_series(1, 2000) g`,
    )
    await pool.query(`CREATE TABLE "${tables.uuid}" (id uuid PRIMARY KEY, label text NOT NULL)`)
    await pool.query(
      `INSERT INTO "${tables.uuid}" SELECT gen_random_uuid(), 'token ' || g FROM generate_series(1, 7000) g`,
    )
    await pool.query(`CREATE TABLE "${tables.empty}" (id bigint PRIMARY KEY, label text NOT NULL)`)
    harness = new SyncHarness(embedded, { default: database }, [composite, uuids, empty])
    await createTables(embedded, database, [composite, uuids, empty])
    await harness.start()
  })
  afterAll(async () => {
    await harness?.stop()
    for (const table of Object.values(tables)) await pool.query(`DROP TABLE IF EXISTS "${table}"`)
  })

  it("copies a composite (text, int) key, respecting the model's where", async () => {
    const status = await backfill(harness, keys.composite, 1500)
    expect(status).toMatchObject({ state: 'done', method: 'key', rows: 8000 })
    const naming = { key: { source: ['region', 'n'], target: ['region', 'n'] } }
    const expected = await sourceRows(pool, tables.composite, ['label'], naming)
    for (const key of [...expected.keys()]) if (key.startsWith('["skip"')) expected.delete(key)
    expect(await clickhouseRows(embedded, database, 'regions', ['label'], 'replacing', naming)).toEqual(expected)
  })

  it('copies a uuid key', async () => {
    const status = await backfill(harness, keys.uuid, 1000)
    expect(status).toMatchObject({ state: 'done', method: 'key', ranges: 8, rows: 7000 })
    const expected = await sourceRows(pool, tables.uuid, ['label'])
    expect(await clickhouseRows(embedded, database, 'tokens', ['label'], 'replacing')).toEqual(expected)
    expect(await duplicateCount(embedded, database, 'tokens', ['version'])).toBe(0)
  })

  it('finishes an empty table at once with no rows', async () => {
    const status = await backfill(harness, keys.empty, 1000)
    expect(status).toMatchObject({ state: 'done', ranges: 1, rangesDone: 1, rows: 0 })
  })
})
