import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Client } from '@temporalio/client'
import type { NativeConnection, Worker } from '@temporalio/worker'
import type pg from 'pg'
import { parseConfig, type ResolvedConfig } from '../../src/config/load-config.js'
import {
  collapsingMergeTree,
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
import { openSyncRuntime } from '../../src/sync/open-runtime.js'
import type { SyncRuntime } from '../../src/sync/runtime.js'
import type { Storage } from '../../src/storages/storage.js'
import { connectClient } from '../../src/temporal/connect.js'
import { startSync, type SyncWorkflowHandle } from '../../src/temporal/sync-workflows.js'
import { createWorker } from '../../src/worker/worker.js'
import { flushUpdate, statusQuery, stopSignal } from '../../workflows/messages.js'
import { clickhouseEmbedded, postgresPool } from '../utils/clients.js'
import { clickhouseRows, createTables, duplicateCount, sourceRows } from '../utils/e2e.js'
import { uniqueName } from '../utils/names.js'
import { requireEnv } from '../utils/services-env.js'

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
    fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), is_deleted: uInt8() },
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
  let config: ResolvedConfig
  let runtime: SyncRuntime
  let storage: Storage
  let client: Client
  let worker: Worker
  let connection: NativeConnection
  let running: Promise<void>
  let handle: SyncWorkflowHandle

  beforeAll(async () => {
    pool = postgresPool()
    await pool.query(`CREATE TABLE "${table}" (id bigint PRIMARY KEY, name text NOT NULL, score int NOT NULL)`)
    const url = ch.displayUrl.slice(0, ch.displayUrl.lastIndexOf('/'))
    config = parseConfig(
      {
        databases: { a: { url, database: databases.a }, b: { url, database: databases.b } },
        postgres: { url: requireEnv('CHSYNC_POSTGRES_URL') },
        redis: { url: requireEnv('CHSYNC_REDIS_URL') },
        temporal: { address: requireEnv('CHSYNC_TEMPORAL_ADDRESS'), taskQueue: uniqueName('e2e') },
        models: [unit],
      },
      { env: {} },
    )
    await createTables(ch, databases.a, [replacing, collapsing, versioned, plain])
    await createTables(ch, databases.b, [replacing])
    runtime = await openSyncRuntime(config)
    storage = runtime.unit(importKey).storage
    client = await connectClient(config.temporal)
    ;({ worker, connection } = await createWorker({ runtime, temporal: config.temporal }))
    running = worker.run()
    handle = await startSync(client, config.temporal, importKey)
  })

  afterAll(async () => {
    await handle?.signal(stopSignal).catch(() => undefined)
    worker?.shutdown()
    await running
    await connection?.close()
    await client?.connection.close()
    await runtime?.close()
    await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
    for (const database of Object.values(databases))
      await ch.client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` })
    await ch.client.close()
  })

  /** Writes to PostgreSQL, then registers the changed keys (the library API's after-commit step). */
  async function change(sql: string, kind: 'insert' | 'update' | 'delete'): Promise<void> {
    const { rows } = await pool.query<{ id: string }>(`${sql} RETURNING id::text AS id`)
    await storage.registerOperations(
      importKey,
      kind,
      rows.map((row) => row.id),
    )
  }

  async function flush(): Promise<void> {
    const result = await handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: 60_000 }] })
    expect(result).toEqual({ synced: true, backlog: 0 })
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
})
