import { afterAll, beforeAll, describe, expect } from 'vitest'
import type pg from 'pg'
import { quoteIdentifier } from '../../../src/clickhouse/index.js'
import * as steps from '../../../src/sync/steps.js'
import type { InsertProgress } from '../../../src/sync/steps.js'
import { clickhouseServer, postgresPool } from '../../utils/clients.js'
import { createTables, duplicateCount } from '../../utils/e2e.js'
import { FailingView, markerName, rawCount } from '../../utils/failing-view.js'
import { expectConverged, faultScenario, verifySync } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { SyncHarness } from '../../utils/sync-harness.js'
import { usersModel, usersSourceDDL } from '../../utils/users-model.js'

/**
 * What an old server cannot guarantee (SRS028 on ClickHouse 18.16: no insert deduplication tokens,
 * no deduplication window for non-replicated tables, none in views). A view that fails for one
 * chunk leaves that chunk in the target table (18.x writes the table, then its views); the retry
 * skips the chunks recorded as done and sends the failed one again, which then lands
 * twice in the table and once in the view. The ReplacingMergeTree absorbs the copy (same key and
 * version) in FINAL and at merge time, so the rows match — the raw duplicates are the documented
 * limit, asserted exactly here so that a change in them shows.
 */
describe('SRS028 on ClickHouse 18.16', () => {
  const database = uniqueName('chsync_old')
  const ch = clickhouseServer()
  const importKey = uniqueName('old')
  const model = usersModel({ importKey, table: 'old', sourceTable: importKey, partitionBy: 'id % 3', isDeleted: false })
  const view = new FailingView(ch, database, 'old', { oldServer: true })
  let pool: pg.Pool
  let harness: SyncHarness

  beforeAll(async () => {
    pool = postgresPool()
    await pool.query(usersSourceDDL(importKey))
    await createTables(ch, database, [model])
    harness = new SyncHarness(ch, { default: database }, [model])
    await harness.start({ chunkLimits: { rows: 2, bytes: 1 << 20 } })
  })

  afterAll(async () => {
    await harness?.stop()
    await pool?.query(`DROP TABLE IF EXISTS "${importKey}"`)
    await pool?.end()
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await ch.client.close()
  })

  faultScenario(
    {
      group: 'SRS028 failure modes',
      scenario: 'ClickHouse 18.16 (no tokens): a view fails mid-batch; the failed chunk lands twice in the table',
      injected:
        'throwIf view on chunk 4 of 5 (PARTITION BY id % 3); retried from its recorded progress after the fix; ' +
        '2 raw duplicates expected (FINAL merges them)',
      expectedDuplicates: 2,
    },
    async () => {
      await view.create({ failing: true })
      await harness.change(
        pool,
        importKey,
        `INSERT INTO "${importKey}" SELECT g, ${markerName(7)}, g FROM generate_series(1, 9) g`,
        'insert',
      )
      const { claim, serialized } = await harness.freezeBatch(importKey, 'old-server-test')
      expect(serialized).toMatchObject({ rows: 9, chunks: 5 })
      // What the activity heartbeats (and, on this server, stages after every chunk): a retry resumes from it.
      let progress: InsertProgress | undefined
      const record = (details: unknown) => {
        progress = structuredClone(details as InsertProgress)
      }
      await expect(steps.insertBatch(harness.runtime, claim, undefined, record)).rejects.toThrow(view.failure)
      expect(progress?.done).toEqual(['old/default/0', 'old/default/1', 'old/default/2'])
      expect(await rawCount(ch, database, view.name)).toBe(6)
      // The failed chunk is in the table already: 18.x wrote it before the view threw.
      expect(await rawCount(ch, database, 'old')).toBe(8)

      await view.create({ failing: false })
      expect(await steps.insertBatch(harness.runtime, claim, progress, record)).toMatchObject({ rows: 9, parked: 0 })
      expect((await steps.postSync(harness.runtime, claim)).removed).toBe(9)
      expect(await rawCount(ch, database, 'old')).toBe(11)
      expect(await duplicateCount(ch, database, view.name, ['version'])).toBe(0)
      const verify = (table: string) =>
        verifySync({
          pool,
          sourceTable: importKey,
          ch,
          database,
          table,
          columns: ['name', 'score'],
          engine: 'replacing',
          storage: harness.storage(importKey),
          importKey,
        })
      expectConverged(await verify(view.name))
      return await verify('old')
    },
  )
})
