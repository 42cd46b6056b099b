import { afterAll, beforeAll, describe, expect } from 'vitest'
import type pg from 'pg'
import { quoteIdentifier } from '../../../src/clickhouse/index.js'
import * as steps from '../../../src/sync/steps.js'
import { defineMultiModel } from '../../../src/models/index.js'
import { flushUpdate, resumeSignal } from '../../../workflows/messages.js'
import { clickhouseEmbedded, postgresPool } from '../../utils/clients.js'
import { createTables } from '../../utils/e2e.js'
import { expectConverged, faultScenario, verifySync } from '../../utils/faults.js'
import { FailingView, markerName, rawCount } from '../../utils/failing-view.js'
import { uniqueName } from '../../utils/names.js'
import { SyncHarness } from '../../utils/sync-harness.js'
import { usersModel, usersSourceDDL } from '../../utils/users-model.js'

/**
 * SRS028 failure modes on embedded ClickHouse 26.x (insert deduplication tokens, deduplication in
 * dependent materialized views): a batch of several chunks over several partitions fails after part
 * of it landed — in the target table, in a materialized view, or both — and its retry completes
 * both without a duplicate. The failure is a view whose query throws (`throwIf`) for a marker row
 * until it is fixed. Two rows per chunk, so every batch is several inserts.
 */
const group = 'SRS028 failure modes'

describe('SRS028 failure modes', () => {
  const database = uniqueName('chsync_srs')
  const ch = clickhouseEmbedded()
  const names = { viewed: uniqueName('viewed'), partial: uniqueName('partial'), multi: uniqueName('multi') }
  const copyDatabase = uniqueName('chsync_srs_copy')
  const viewed = usersModel({
    importKey: names.viewed,
    table: 'viewed',
    sourceTable: names.viewed,
    partitionBy: 'id % 4',
  })
  const partial = usersModel({
    importKey: names.partial,
    table: 'partial',
    sourceTable: names.partial,
    partitionBy: 'id % 3',
  })
  // One source, two tables, three inserts per chunk: `first` on two write aliases, then `second`.
  const multiModel = (table: string, writeAliases: string[]) =>
    usersModel({
      importKey: names.multi,
      table,
      sourceTable: names.multi,
      partitionBy: 'id % 4',
      routing: { writeAliases, readAliases: ['default'] },
    })
  const first = multiModel('first', ['default', 'copy'])
  const second = multiModel('second', ['default'])
  const multi = defineMultiModel({
    importKey: names.multi,
    source: { table: names.multi, primaryKey: ['id'] },
    models: [first, second],
  })
  const columns = ['name', 'score']
  let pool: pg.Pool
  let harness: SyncHarness

  const verify = (importKey: string, table: string, inDatabase = database) =>
    verifySync({
      pool,
      sourceTable: importKey,
      ch,
      database: inDatabase,
      table,
      columns,
      engine: 'replacing',
      storage: harness.storage(importKey),
      importKey,
    })
  /** Writes and registers rows from…to, with the marker row ('boom') at `marker`. */
  const insertRows = (importKey: string, from: number, to: number, marker = 0) =>
    harness.change(
      pool,
      importKey,
      `INSERT INTO "${importKey}" SELECT g, ${markerName(marker)}, g FROM generate_series(${from}, ${to}) g`,
      'insert',
    )

  beforeAll(async () => {
    pool = postgresPool()
    for (const table of Object.values(names)) await pool.query(usersSourceDDL(table))
    await createTables(ch, database, [viewed, partial, first, second])
    await createTables(ch, copyDatabase, [first])
    harness = new SyncHarness(ch, { default: database, copy: copyDatabase }, [viewed, partial, multi])
    await harness.start({ chunkLimits: { rows: 2, bytes: 1 << 20 } })
  })

  afterAll(async () => {
    await harness?.stop()
    for (const table of Object.values(names)) await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
    for (const name of [database, copyDatabase])
      await ch.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(name)}` })
    await ch.client.close()
  })

  faultScenario(
    {
      group,
      scenario: 'A materialized view throws for one row: the model blocks naming the view, keeping every operation',
      injected:
        "MV with throwIf(name = 'boom') on a 20-row batch (10 chunks, 4 partitions); view fixed after the model " +
        'blocked, then resume',
      timeoutMs: 180_000,
    },
    async () => {
      const view = new FailingView(ch, database, 'viewed')
      await view.create({ failing: true })
      const handle = await harness.sync(names.viewed)
      await insertRows(names.viewed, 1, 20, 11)
      await handle.executeUpdate(flushUpdate, { args: [{ wait: false }] })

      // The view fails on values, after the table took the chunk: retried whole (never split, which
      // would write its halves again), then the model blocks with the view named and the way out.
      const blocked = await harness.until(handle, (status) => status.state === 'blocked', 120_000)
      expect(blocked.blocked?.type).toBe('SchemaMismatchError')
      expect(blocked.blocked?.message).toMatch(view.failure)
      expect(blocked.blocked?.message).toMatch(`materialized view ${database}.viewed_view on ${database}.viewed`)
      expect(blocked.blocked?.message).toMatch(`fix the view, then run chsync resume ${names.viewed}`)
      // Chunks 0-4 (ids 1-10) reached table and view before the marker's chunk failed; the failed
      // chunk is in the table once (its retries deduplicated); nothing was removed from the storage.
      expect(await rawCount(ch, database, view.name)).toBe(10)
      expect(await rawCount(ch, database, 'viewed')).toBe(12)
      expect(await harness.storage(names.viewed).operationsCount(names.viewed)).toBe(20)

      await view.create({ failing: false })
      await handle.signal(resumeSignal)
      expect(await harness.flush(handle, 120_000)).toEqual({ synced: true, backlog: 0 })
      expectConverged(await verify(names.viewed, view.name))
      return await verify(names.viewed, 'viewed')
    },
  )

  faultScenario(
    {
      group,
      scenario: 'A batch into several tables and aliases fails in the last table; the retry completes all of them',
      injected:
        'multi-model: table first on 2 aliases, then second; throwIf view on second after first took the batch; ' +
        'view fixed after the model blocked, then resume',
      timeoutMs: 180_000,
    },
    async () => {
      const view = new FailingView(ch, database, 'second')
      await view.create({ failing: true })
      const handle = await harness.sync(names.multi)
      await insertRows(names.multi, 1, 12, 5)
      await handle.executeUpdate(flushUpdate, { args: [{ wait: false }] })
      const blocked = await harness.until(handle, (status) => status.state === 'blocked', 120_000)
      expect(blocked.blocked?.message).toMatch(view.failure)
      // Not one transaction: the first table has the batch on both aliases, the second table part of it.
      expect(await rawCount(ch, database, 'first')).toBe(12)
      expect(await rawCount(ch, copyDatabase, 'first')).toBe(12)
      expect(await rawCount(ch, database, view.name)).toBe(4)

      await view.create({ failing: false })
      await handle.signal(resumeSignal)
      expect(await harness.flush(handle, 120_000)).toEqual({ synced: true, backlog: 0 })
      expectConverged(await verify(names.multi, 'first', copyDatabase))
      expectConverged(await verify(names.multi, view.name))
      expectConverged(await verify(names.multi, 'first'))
      return await verify(names.multi, 'second')
    },
  )

  describe('insertBatch retried (the steps themselves, no workflow)', () => {
    const owner = 'srs028-test'
    const view = new FailingView(ch, database, 'partial')
    const noProgress = () => undefined
    const prepareBatch = async (rows: number, chunks: number) => {
      const { claim, serialized } = await harness.freezeBatch(names.partial, owner)
      expect(serialized).toMatchObject({ rows, chunks, reused: false })
      return claim
    }

    faultScenario(
      {
        group,
        scenario: 'A batch over several partitions fails after some chunks landed; its retry completes it',
        injected:
          'PARTITION BY id % 3, 5 chunks of 2 rows; chunk 4 rejected by a throwIf view after chunks 1-3 landed; ' +
          'retried with no heartbeat progress',
      },
      async () => {
        await view.create({ failing: true })
        await insertRows(names.partial, 1, 9, 7)
        const claim = await prepareBatch(9, 5)
        await expect(steps.insertBatch(harness.runtime, claim, undefined, noProgress)).rejects.toThrow(view.failure)
        expect(await rawCount(ch, database, view.name)).toBe(6)
        expect(await rawCount(ch, database, 'partial')).toBeGreaterThanOrEqual(6)
        const partitions = await ch.client.query({
          query: `SELECT uniqExact(partition) AS n FROM system.parts WHERE database = '${database}' AND table = 'partial' AND active`,
          format: 'JSONEachRow',
        })
        expect(Number((await partitions.json<{ n: string }>())[0]?.n)).toBe(3)

        await view.create({ failing: false })
        // The retry re-sends every chunk (as after a lost heartbeat): the tokens keep the landed ones
        // out of the table, and out of the view where they reached it.
        expect(await steps.insertBatch(harness.runtime, claim, undefined, noProgress)).toMatchObject({
          rows: 9,
          inserts: 5,
          parked: 0,
        })
        expect(await rawCount(ch, database, 'partial')).toBe(9)
        expect(await rawCount(ch, database, view.name)).toBe(9)
        expect((await steps.postSync(harness.runtime, claim)).removed).toBe(9)
        expectConverged(await verify(names.partial, view.name))
        return await verify(names.partial, 'partial')
      },
    )

    faultScenario(
      {
        group,
        scenario: 'insertBatch retried after it succeeded (its result lost) adds nothing',
        injected: 'insertBatch of a 6-row batch (3 chunks) run again after it succeeded, before postSync',
      },
      async () => {
        await insertRows(names.partial, 10, 15)
        const claim = await prepareBatch(6, 3)
        for (let attempt = 0; attempt < 2; attempt++) {
          expect(await steps.insertBatch(harness.runtime, claim, undefined, noProgress)).toMatchObject({
            rows: 6,
            inserts: 3,
          })
        }
        expect(await rawCount(ch, database, 'partial')).toBe(15)
        expect(await rawCount(ch, database, view.name)).toBe(15)
        expect((await steps.postSync(harness.runtime, claim)).removed).toBe(6)
        expectConverged(await verify(names.partial, view.name))
        return await verify(names.partial, 'partial')
      },
    )
  })
})
