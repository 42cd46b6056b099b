import { afterAll, beforeAll, describe, expect } from 'vitest'
import { escapeIdentifier } from 'pg'
import type pg from 'pg'
import { quoteIdentifier } from '../../../src/clickhouse/index.js'
import { defineModel, int32, replacingMergeTree, string, uInt64, uInt8 } from '../../../src/models/index.js'
import { clickhouseEmbedded, postgresPool } from '../../utils/clients.js'
import { createTables } from '../../utils/e2e.js'
import { faultScenario, verifySync } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { SyncHarness } from '../../utils/sync-harness.js'
import { usersSourceDDL } from '../../utils/users-model.js'

/**
 * A step that takes longer than the model's lock lifetime (a slow source query, a batch of vectors to
 * serialize, a wait for a free activity slot) keeps its lock: the lock is extended while the step
 * works, not only before the fetch and before each chunk (issue 13 item 9). Embedded ClickHouse 26.x.
 */
const group = 'Process and service faults'

describe('a step slower than the lock lifetime', () => {
  const database = uniqueName('chsync_slowlock')
  const ch = clickhouseEmbedded()
  const importKey = uniqueName('slowlock')
  // The uncorrelated subquery runs once per fetch: every fetch takes 2 s, four lock lifetimes.
  const model = defineModel({
    importKey,
    table: 'users',
    fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), is_deleted: uInt8() },
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
    source: { table: importKey, primaryKey: ['id'], where: '(SELECT pg_sleep(2)) IS NOT NULL' },
    sync: { syncDelayMs: 60_000, batchSize: 100, lockTimeoutMs: 500 },
  })
  let pool: pg.Pool
  let harness: SyncHarness

  beforeAll(async () => {
    pool = postgresPool()
    await pool.query(usersSourceDDL(importKey))
    await createTables(ch, database, [model])
    harness = new SyncHarness(ch, { default: database }, [model])
    await harness.start()
  })

  afterAll(async () => {
    await harness?.stop()
    await pool?.query(`DROP TABLE IF EXISTS ${escapeIdentifier(importKey)}`)
    await pool?.end()
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await ch.client.close()
  })

  faultScenario(
    {
      group,
      scenario: 'A fetch four times longer than the lock lifetime keeps its lock and completes',
      injected: 'lockTimeoutMs 500 and a source where with pg_sleep(2) (every fetch takes 2 s); 50 rows',
    },
    async () => {
      const handle = await harness.sync(importKey)
      await harness.change(
        pool,
        importKey,
        `INSERT INTO "${importKey}" SELECT g, 'u' || g, g FROM generate_series(1, 50) g`,
        'insert',
      )
      expect(await harness.flush(handle, 30_000)).toEqual({ synced: true, backlog: 0 })
      return await verifySync({
        pool,
        sourceTable: importKey,
        ch,
        database,
        table: 'users',
        columns: ['name', 'score'],
        engine: 'replacing',
        storage: harness.storage(importKey),
        importKey,
      })
    },
  )
})
