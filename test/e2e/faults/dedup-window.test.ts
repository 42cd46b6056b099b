import { afterAll, beforeAll, describe, expect } from 'vitest'
import type pg from 'pg'
import { qualifiedTable, quoteIdentifier } from '../../../src/clickhouse/index.js'
import { collapsingMergeTree, defineModel, int32, int8, string, uInt64 } from '../../../src/models/index.js'
import * as steps from '../../../src/sync/steps.js'
import { clickhouseEmbedded, postgresPool } from '../../utils/clients.js'
import { createTables } from '../../utils/e2e.js'
import { faultScenario, verifySync } from '../../utils/faults.js'
import { rawCount } from '../../utils/failing-view.js'
import { uniqueName } from '../../utils/names.js'
import { SyncHarness } from '../../utils/sync-harness.js'
import { usersModel, usersSourceDDL } from '../../utils/users-model.js'

/**
 * A ClickHouse outage longer than the table's deduplication window, on embedded ClickHouse 26.x: a
 * batch's inserts landed but their acknowledgement was lost, more blocks than the window went into
 * the table since (another writer's five, past `non_replicated_deduplication_window = 2`), and the
 * batch is retried. The tokens no longer drop the replay. A
 * ReplacingMergeTree absorbs it (the same key and version: FINAL and merges keep one row, the raw
 * copies are asserted exactly); a collapsing table would not (a doubled `+1` outlives the `−1` of a
 * later delete), so a retried batch's chunks are checked against what landed before being re-sent.
 */
const group = 'Process and service faults'

describe('an outage longer than the deduplication window', () => {
  const database = uniqueName('chsync_window')
  const ch = clickhouseEmbedded()
  const names = { replaced: uniqueName('replaced'), collapsed: uniqueName('collapsed') }
  const replaced = usersModel({ importKey: names.replaced, table: 'replaced', sourceTable: names.replaced })
  const collapsed = defineModel({
    importKey: names.collapsed,
    table: 'collapsed',
    fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), sign: int8() },
    engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
    source: { table: names.collapsed, primaryKey: ['id'] },
    sync: { syncDelayMs: 60_000, batchSize: 100 },
  })
  let pool: pg.Pool
  let harness: SyncHarness

  beforeAll(async () => {
    pool = postgresPool()
    for (const table of Object.values(names)) await pool.query(usersSourceDDL(table))
    await createTables(ch, database, [replaced, collapsed])
    for (const table of ['replaced', 'collapsed']) {
      await ch.client.command({
        query: `ALTER TABLE ${qualifiedTable(database, table)} MODIFY SETTING non_replicated_deduplication_window = 2`,
      })
      // A merge would fold the copies before they are counted (and FINAL proves what a merge keeps).
      await ch.client.command({ query: `SYSTEM STOP MERGES ${qualifiedTable(database, table)}` })
    }
    harness = new SyncHarness(ch, { default: database }, [replaced, collapsed])
    await harness.start({ chunkLimits: { rows: 2, bytes: 1 << 20 } })
  })

  afterAll(async () => {
    await harness?.stop()
    for (const table of Object.values(names)) await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await ch.client.close()
  })

  const noProgress = () => undefined

  /**
   * Six rows in three chunks inserted, the acknowledgement lost, five other blocks written, the batch retried as the next
   * activity does (its frozen payload reused, no progress recorded); then a second batch deletes
   * key 1 and updates key 2. Returns the verdict and the raw rows after the first batch.
   */
  async function replayPastWindow(importKey: string, table: string, engine: 'replacing' | 'collapsing') {
    await harness.change(
      pool,
      importKey,
      `INSERT INTO "${importKey}" SELECT g, 'u' || g, g FROM generate_series(1, 6) g`,
      'insert',
    )
    const owner = 'window-test'
    const { claim, serialized } = await harness.freezeBatch(importKey, owner)
    expect(serialized).toMatchObject({ rows: 6, chunks: 3 })
    await steps.insertBatch(harness.runtime, claim, undefined, noProgress)
    // Meanwhile another writer (a backfill) puts five blocks into the table — more than the window —
    // and their rows into the source, unregistered: the batch's tokens are forgotten.
    for (const id of [101, 102, 103, 104, 105]) {
      await pool.query(`INSERT INTO "${importKey}" (id, name, score) VALUES ($1, $2, $3)`, [id, `b${id}`, id])
      await ch.client.insert({
        table: qualifiedTable(database, table),
        values: [{ id, name: `b${id}`, score: id, version: 1, ...(engine === 'collapsing' ? { sign: 1 } : {}) }],
        format: 'JSONEachRow',
      })
    }
    // The retry: the activity finds the payload frozen (a previous attempt may have sent it).
    const again = await steps.fetchAndSerialize(harness.runtime, claim)
    expect(again.reused).toBe(true)
    await steps.insertBatch(harness.runtime, claim, undefined, noProgress, 2, undefined, again.payload)
    await steps.postSync(harness.runtime, claim)
    const raw = await rawCount(ch, database, table)

    await harness.change(pool, importKey, `DELETE FROM "${importKey}" WHERE id = 1`, 'delete')
    await harness.change(pool, importKey, `UPDATE "${importKey}" SET name = 'changed' WHERE id = 2`, 'update')
    const second = await harness.freezeBatch(importKey, owner)
    await steps.insertBatch(harness.runtime, second.claim, undefined, noProgress)
    await steps.postSync(harness.runtime, second.claim)
    const verdict = await verifySync({
      pool,
      sourceTable: importKey,
      ch,
      database,
      table,
      columns: ['name', 'score'],
      engine,
      ...(engine === 'collapsing' ? { identity: ['version', 'sign'] } : {}),
      storage: harness.storage(importKey),
      importKey,
    })
    return { verdict, raw }
  }

  faultScenario(
    {
      group,
      scenario: 'A ClickHouse outage longer than the dedup window: ReplacingMergeTree absorbs the replay',
      injected:
        'non_replicated_deduplication_window = 2; a 3-chunk batch landed, its result lost, 5 other blocks, retried; ' +
        'then a delete and an update; 6 raw duplicates expected (FINAL keeps one per key and version)',
      expectedDuplicates: 6,
    },
    async () => {
      const { verdict, raw } = await replayPastWindow(names.replaced, 'replaced', 'replacing')
      // Not re-checked: the replay is the same (key, version) rows, which FINAL and merges fold.
      expect(raw).toBe(6 + 5 + 6)
      return verdict
    },
  )

  faultScenario(
    {
      group,
      scenario: 'A ClickHouse outage longer than the dedup window: a collapsing table is re-checked, not doubled',
      injected:
        'CollapsingMergeTree, non_replicated_deduplication_window = 2; a 3-chunk batch landed, its result lost, ' +
        '5 other blocks, retried; then a delete and an update',
    },
    async () => {
      const { verdict, raw } = await replayPastWindow(names.collapsed, 'collapsed', 'collapsing')
      // The retry found every row of its chunks in the table (same version and sign) and sent none.
      expect(raw).toBe(6 + 5)
      return verdict
    },
  )
})
