import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type pg from 'pg'
import {
  collapsingMergeTree,
  dateTime64,
  defineModel,
  defineMultiModel,
  int32,
  int8,
  mergeTree,
  replacingMergeTree,
  string,
  uInt64,
  uInt8,
  versionedCollapsingMergeTree,
} from '../../src/models/index.js'
import type { SyncWorkflowHandle } from '../../src/app/temporal/sync-workflows.js'
import { statusQuery } from '../../workflows/messages.js'
import { clickhouseEmbedded, postgresPool } from '../utils/clients.js'
import { clickhouseRows, createTables, duplicateCount, sourceRows } from '../utils/e2e.js'
import { uniqueName } from '../utils/names.js'
import { SyncHarness } from '../utils/sync-harness.js'

/**
 * The whole product on real services: rows written in PostgreSQL reach ClickHouse through Redis,
 * a Temporal workflow and a worker, for every engine family, a multi-model and two write aliases.
 */
describe('sync end to end (PostgreSQL → Redis → Temporal → embedded ClickHouse)', () => {
  const table = uniqueName('users')
  const importKey = uniqueName('users')
  const databases = { a: uniqueName('chsync_a'), b: uniqueName('chsync_b') }
  const ch = clickhouseEmbedded()
  const source = { table, primaryKey: ['id'] }
  const columns = ['name', 'score']
  const common = { importKey, source, sync: { batchSize: 25, syncDelayMs: 60_000 } }

  const replacing = defineModel({
    ...common,
    table: 'users_replacing',
    fields: {
      id: uInt64(),
      name: string(),
      score: int32(),
      // Tombstones carry every column: a DateTime64 must get a value ClickHouse can parse.
      updated_at: dateTime64(3, 'UTC'),
      version: uInt64(),
      is_deleted: uInt8(),
    },
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
    routing: { writeAliases: ['a', 'b'], readAliases: ['a'] },
  })
  const collapsing = defineModel({
    ...common,
    table: 'users_collapsing',
    fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), sign: int8() },
    engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
  })
  const versioned = defineModel({
    ...common,
    table: 'users_versioned',
    fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), sign: int8() },
    engine: versionedCollapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
  })
  const plain = defineModel({
    ...common,
    table: 'users_plain',
    fields: { id: uInt64(), name: string(), score: int32() },
    engine: mergeTree({ orderBy: ['id'] }),
    deletes: 'ignore',
  })
  const unit = defineMultiModel({ ...common, models: [replacing, collapsing, versioned, plain] })

  let pool: pg.Pool
  let harness: SyncHarness
  let handle: SyncWorkflowHandle

  beforeAll(async () => {
    pool = postgresPool()
    await pool.query(
      `CREATE TABLE "${table}" (id bigint PRIMARY KEY, name text NOT NULL, score int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    )
    harness = new SyncHarness(ch, databases, [unit])
    await createTables(ch, databases.a, [replacing, collapsing, versioned, plain])
    await createTables(ch, databases.b, [replacing])
    await harness.start()
    handle = await harness.sync(importKey)
  })

  afterAll(async () => {
    await harness?.stop()
    await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
    for (const database of Object.values(databases))
      await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` })
    await ch.client.close()
  })

  const change = (sql: string, kind: 'insert' | 'update' | 'delete') => harness.change(pool, importKey, sql, kind)

  async function flush(): Promise<void> {
    expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })
  }

  async function expectInSync(): Promise<void> {
    const expected = await sourceRows(pool, table, columns)
    for (const [database, model, engine] of [
      [databases.a, 'users_replacing', 'replacing'],
      [databases.b, 'users_replacing', 'replacing'],
      [databases.a, 'users_collapsing', 'collapsing'],
      [databases.a, 'users_versioned', 'collapsing'],
    ] as const) {
      expect(await clickhouseRows(ch, database, model, columns, engine), `${database}.${model}`).toEqual(expected)
    }
    expect(await duplicateCount(ch, databases.a, 'users_replacing', ['version'])).toBe(0)
    expect(await harness.storage(importKey).deadLetters(importKey)).toEqual([])
    expect(await duplicateCount(ch, databases.a, 'users_collapsing', ['version', 'sign'])).toBe(0)
  }

  it('syncs inserts to every model and both write aliases', async () => {
    await change(`INSERT INTO "${table}" SELECT g, 'user ' || g, g * 10 FROM generate_series(1, 60) g`, 'insert')
    await flush()
    await expectInSync()
    const plainRows = await clickhouseRows(ch, databases.a, 'users_plain', columns, 'plain')
    expect(plainRows).toEqual(await sourceRows(pool, table, columns))
  })

  it('syncs updates and deletes: tombstones, cancel rows, and the new state', async () => {
    await change(`UPDATE "${table}" SET name = name || ' (renamed)', score = score + 1 WHERE id % 3 = 0`, 'update')
    await change(`DELETE FROM "${table}" WHERE id % 7 = 0`, 'delete')
    await flush()
    await expectInSync()
    // A second update of the same rows collapses the previous state again.
    await change(`UPDATE "${table}" SET score = -score WHERE id % 3 = 0`, 'update')
    await flush()
    await expectInSync()
  })

  it('keeps the rows of a plain MergeTree model that ignores deletes', async () => {
    const plainRows = await clickhouseRows(ch, databases.a, 'users_plain', ['name'], 'plain')
    expect(plainRows.has('7')).toBe(true)
  })

  it('reports what it did in the status query', async () => {
    const status = await handle.query(statusQuery)
    expect(status).toMatchObject({ state: 'running', backlog: 0, blocked: null, lastError: null })
    // 60 inserts; 20 updates and 8 deletes, where the 2 keys both updated and deleted coalesced into
    // their delete; 18 updates of the surviving multiples of 3.
    expect(status.operationsSynced).toBe(60 + 26 + 18)
    expect(status.lastBatch?.rows).toBeGreaterThan(0)
  })

  it('keeps a re-inserted row whose delete was registered after the re-insert (registrations out of commit order)', async () => {
    // Two transactions: A deletes row 5, then B inserts it again; B registers first, A's late
    // registration makes the key's pending operation a delete. The row exists, so it must stay.
    await pool.query(`DELETE FROM "${table}" WHERE id = 5`)
    await pool.query(`INSERT INTO "${table}" (id, name, score) VALUES (5, 'user 5 (back)', 55)`)
    const storage = harness.storage(importKey)
    await storage.registerOperations(importKey, 'insert', ['5'])
    await storage.registerOperations(importKey, 'delete', ['5'])
    await flush()
    await expectInSync()
  })
})
