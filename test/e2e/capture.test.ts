import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type pg from 'pg'
import { quoteIdentifier } from '../../src/clickhouse/index.js'
import { installCapture, removeCapture } from '../../src/capture/index.js'
import { defineModel, int32, replacingMergeTree, string, uInt64, uInt8 } from '../../src/models/index.js'
import type { SyncWorkflowHandle } from '../../src/app/temporal/sync-workflows.js'
import { clickhouseEmbedded, postgresPool } from '../utils/clients.js'
import { clickhouseRows, createTables, sourceRows } from '../utils/e2e.js'
import { uniqueName } from '../utils/names.js'
import { SyncHarness } from '../utils/sync-harness.js'

/**
 * Changes made with plain SQL — no registration code at all — reach ClickHouse: PostgreSQL triggers
 * write them to the outbox in the same transaction, and each round relays them into Redis first.
 */
describe('trigger capture end to end', () => {
  const table = uniqueName('captured')
  const importKey = uniqueName('captured')
  const database = uniqueName('chsync_capture')
  const ch = clickhouseEmbedded()
  const source = { table, primaryKey: ['id'] }
  const model = defineModel({
    importKey,
    table: 'captured',
    fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), is_deleted: uInt8() },
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
    source,
    sync: { syncDelayMs: 60_000 },
  })
  const columns = ['name', 'score']
  let pool: pg.Pool
  let harness: SyncHarness
  let handle: SyncWorkflowHandle

  beforeAll(async () => {
    pool = postgresPool()
    await pool.query(`CREATE TABLE "${table}" (id bigint PRIMARY KEY, name text NOT NULL, score int NOT NULL)`)
    await installCapture(pool, { importKey, source })
    await createTables(ch, database, [model])
    harness = new SyncHarness(ch, { default: database }, [model])
    await harness.start()
    handle = await harness.sync(importKey)
  })

  afterAll(async () => {
    await harness?.stop()
    await removeCapture(pool, { importKey }).catch(() => undefined)
    await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await ch.client.close()
  })

  it('syncs inserts, updates, deletes and key changes made by plain SQL', async () => {
    await pool.query(`INSERT INTO "${table}" SELECT g, 'u' || g, g FROM generate_series(1, 30) g`)
    await pool.query(`UPDATE "${table}" SET score = score * 100 WHERE id <= 10`)
    await pool.query(`DELETE FROM "${table}" WHERE id > 25`)
    // A primary-key change: the old key is deleted and the new one inserted.
    await pool.query(`UPDATE "${table}" SET id = id + 1000 WHERE id IN (11, 12)`)
    expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })
    expect(await clickhouseRows(ch, database, 'captured', columns, 'replacing')).toEqual(
      await sourceRows(pool, table, columns),
    )
  })

  it('keeps nothing from a rolled-back transaction', async () => {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      await client.query(`INSERT INTO "${table}" VALUES (5000, 'ghost', 1)`)
      await client.query('ROLLBACK')
    } finally {
      client.release()
    }
    await pool.query(`UPDATE "${table}" SET name = 'after rollback' WHERE id = 1`)
    expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })
    const rows = await clickhouseRows(ch, database, 'captured', columns, 'replacing')
    expect(rows.has('5000')).toBe(false)
    expect(rows).toEqual(await sourceRows(pool, table, columns))
  })
})
