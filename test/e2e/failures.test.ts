import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type pg from 'pg'
import { qualifiedTable, quoteIdentifier } from '../../src/clickhouse/index.js'
import { defineModel, int32, replacingMergeTree, string, uInt64, uInt8 } from '../../src/models/index.js'
import type { Claim } from '../../src/storages/storage.js'
import { chunkToken } from '../../src/sync/payload.js'
import { insertChunk } from '../../src/sync/insert.js'
import * as steps from '../../src/sync/steps.js'
import { STAGED, readStagedValue } from '../../src/sync/staging.js'
import type { PayloadManifest } from '../../src/sync/payload.js'
import { resumeSignal, statusQuery } from '../../workflows/messages.js'
import type { SyncStatus } from '../../workflows/types.js'
import { clickhouseEmbedded, postgresPool } from '../utils/clients.js'
import { clickhouseRows, createTables, duplicateCount, sourceRows } from '../utils/e2e.js'
import { uniqueName } from '../utils/names.js'
import { SyncHarness } from '../utils/sync-harness.js'
import type { SyncWorkflowHandle } from '../../src/temporal/sync-workflows.js'

/** Models whose source tables and ClickHouse tables these scenarios break and repair. */
function usersModel(importKey: string, table: string, sourceTable: string, score = int32()) {
  return defineModel({
    importKey,
    table,
    fields: { id: uInt64(), name: string(), score, version: uInt64(), is_deleted: uInt8() },
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
    source: { table: sourceTable, primaryKey: ['id'] },
    sync: { syncDelayMs: 60_000, batchSize: 100 },
  })
}

async function until(handle: SyncWorkflowHandle, predicate: (status: SyncStatus) => boolean): Promise<SyncStatus> {
  const deadline = Date.now() + 60_000
  for (;;) {
    const status = await handle.query(statusQuery)
    if (predicate(status)) return status
    if (Date.now() > deadline) throw new Error(`status never matched; last: ${JSON.stringify(status)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('sync failure modes end to end', () => {
  const database = uniqueName('chsync_fail')
  const ch = clickhouseEmbedded()
  const names = {
    broken: uniqueName('broken'),
    healthy: uniqueName('healthy'),
    poison: uniqueName('poison'),
    chunks: uniqueName('chunks'),
  }
  const broken = usersModel(names.broken, 'broken', names.broken)
  const healthy = usersModel(names.healthy, 'healthy', names.healthy)
  // uInt8 scores: a source score above 255 does not fit and must be parked, not block the rest.
  const poison = usersModel(names.poison, 'poison', names.poison, uInt8() as unknown as ReturnType<typeof int32>)
  const chunks = usersModel(names.chunks, 'chunks', names.chunks)
  const columns = ['name', 'score']
  let pool: pg.Pool
  let harness: SyncHarness

  beforeAll(async () => {
    pool = postgresPool()
    for (const table of Object.values(names)) {
      await pool.query(`CREATE TABLE "${table}" (id bigint PRIMARY KEY, name text NOT NULL, score int NOT NULL)`)
    }
    await createTables(ch, database, [healthy, poison, chunks])
    // The broken model's table lacks the `score` column the model writes.
    await ch.client.command({
      query: `CREATE TABLE ${qualifiedTable(database, 'broken')} (id UInt64, name String, version UInt64, is_deleted UInt8)
              ENGINE = ReplacingMergeTree(version, is_deleted) ORDER BY id`,
    })
    harness = new SyncHarness(ch, { default: database }, [broken, healthy, poison, chunks])
    // Two rows per chunk: every batch of the chunk scenario is several inserts.
    await harness.start({ chunkLimits: { rows: 2, bytes: 1 << 20 } })
  })

  afterAll(async () => {
    await harness?.stop()
    for (const table of Object.values(names)) await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await ch.client.close()
  })

  it('blocks a model whose table does not fit, keeps its operations, lets others sync, and resumes after the fix', async () => {
    const blockedHandle = await harness.sync(names.broken)
    const healthyHandle = await harness.sync(names.healthy)
    const insert = (table: string) => `INSERT INTO "${table}" SELECT g, 'u' || g, g FROM generate_series(1, 20) g`
    await harness.change(pool, names.broken, insert(names.broken), 'insert')
    await harness.change(pool, names.healthy, insert(names.healthy), 'insert')

    // The flush returns as soon as the model blocks instead of waiting for its timeout.
    expect(await harness.flush(blockedHandle)).toEqual({ synced: false, backlog: 20 })
    const blocked = await until(blockedHandle, (status) => status.state === 'blocked')
    expect(blocked.blocked?.type).toBe('SchemaMismatchError')
    expect(blocked.blocked?.message).toMatch(/broken/)
    expect(blocked.blocked?.message).toMatch(/score/)
    expect(await harness.storage(names.broken).operationsCount(names.broken)).toBe(20)

    expect(await harness.flush(healthyHandle)).toEqual({ synced: true, backlog: 0 })
    expect(await clickhouseRows(ch, database, 'healthy', columns, 'replacing')).toEqual(
      await sourceRows(pool, names.healthy, columns),
    )

    await ch.client.command({
      query: `ALTER TABLE ${qualifiedTable(database, 'broken')} ADD COLUMN score Int32 AFTER name`,
    })
    await blockedHandle.signal(resumeSignal)
    expect(await harness.flush(blockedHandle)).toEqual({ synced: true, backlog: 0 })
    expect(await clickhouseRows(ch, database, 'broken', columns, 'replacing')).toEqual(
      await sourceRows(pool, names.broken, columns),
    )
    expect((await blockedHandle.query(statusQuery)).state).toBe('running')
  })

  it('parks a row that does not fit its column while the rest of the batch syncs, and re-queues it', async () => {
    const handle = await harness.sync(names.poison)
    await harness.change(
      pool,
      names.poison,
      `INSERT INTO "${names.poison}" SELECT g, 'u' || g, g * 50 FROM generate_series(1, 10) g`,
      'insert',
    )
    expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })

    const storage = harness.storage(names.poison)
    const parked = await storage.deadLetters(names.poison)
    // Scores 300…500 overflow UInt8.
    expect(parked.map((letter) => letter.operation.key).sort()).toEqual(['10', '6', '7', '8', '9'])
    expect(parked[0]?.error).toMatch(/score/)
    const synced = await clickhouseRows(ch, database, 'poison', ['score'], 'replacing')
    expect([...synced.keys()].sort()).toEqual(['1', '2', '3', '4', '5'])
    expect((await handle.query(statusQuery)).lastBatch?.parked).toBe(5)

    await pool.query(`UPDATE "${names.poison}" SET score = id WHERE score > 255`)
    expect(await storage.retryDeadLetters(names.poison)).toBe(5)
    expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })
    expect(await storage.deadLetters(names.poison)).toEqual([])
    expect(await clickhouseRows(ch, database, 'poison', columns, 'replacing')).toEqual(
      await sourceRows(pool, names.poison, columns),
    )
  })

  describe('insertBatch retried (no workflow, the steps themselves)', () => {
    const owner = 'retry-test'
    let claim: Claim

    beforeAll(async () => {
      await harness.change(
        pool,
        names.chunks,
        `INSERT INTO "${names.chunks}" SELECT g, 'u' || g, g FROM generate_series(1, 9) g`,
        'insert',
      )
      const pre = await steps.preSync(harness.runtime, names.chunks, owner)
      claim = pre.claim as Claim
      await steps.fetchRows(harness.runtime, claim)
      const serialized = await steps.serializeRows(harness.runtime, claim)
      expect(serialized).toMatchObject({ rows: 9, chunks: 5, reused: false })
      // Serializing again reuses the frozen payload.
      expect(await steps.serializeRows(harness.runtime, claim)).toMatchObject({ rows: 9, chunks: 5, reused: true })
    })

    it('completes a batch after a partial insert without duplicates', async () => {
      // A crash after the first two chunks landed: they are in the table, the rest are not.
      const storage = harness.storage(names.chunks)
      const manifest = (await readStagedValue<PayloadManifest>(storage, claim, STAGED.manifest)) as PayloadManifest
      const [target] = harness.runtime.unit(names.chunks).models[0]?.targets ?? []
      for (const index of [0, 1]) {
        const info = manifest.models[0]?.chunks[index]
        const bytes = (await storage.readStaged(claim, STAGED.chunk('chunks', index))) as Buffer
        await insertChunk(
          target!,
          bytes,
          chunkToken(names.chunks, claim.batchId, 'chunks', index, info!.hash),
          info!.rows,
        )
      }
      expect(await duplicateCount(ch, database, 'chunks', ['version'])).toBe(0)
      await steps.insertBatch(harness.runtime, claim, undefined, () => undefined)
      expect(await duplicateCount(ch, database, 'chunks', ['version'])).toBe(0)
      expect(await clickhouseRows(ch, database, 'chunks', columns, 'replacing')).toEqual(
        await sourceRows(pool, names.chunks, columns),
      )
    })

    it('adds nothing when retried after it succeeded (its result lost)', async () => {
      const result = await steps.insertBatch(harness.runtime, claim, undefined, () => undefined)
      expect(result).toMatchObject({ rows: 9, inserts: 5, parked: 0 })
      const rows = await (
        await ch.client.query({
          query: `SELECT count() AS n FROM ${qualifiedTable(database, 'chunks')}`,
          format: 'JSONEachRow',
        })
      ).json<{ n: string }>()
      expect(Number(rows[0]?.n)).toBe(9)
      expect((await steps.postSync(harness.runtime, claim)).removed).toBe(9)
    })
  })
})
