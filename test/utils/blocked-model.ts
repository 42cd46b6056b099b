import type pg from 'pg'
import { expect } from 'vitest'
import type { ClickHouseDatabase } from '../../src/clickhouse/index.js'
import { resumeSignal } from '../../workflows/messages.js'
import { expectConverged, verifySync, type SyncVerdict } from './faults.js'
import type { SyncHarness } from './sync-harness.js'

/** Where a blocked-model scenario runs: the harness, and a healthy model that must keep syncing. */
export interface BlockedModelContext {
  pool: pg.Pool
  ch: ClickHouseDatabase
  database: string
  harness: SyncHarness
  /** Import key of the healthy model; its source table is named the same. */
  healthy: { importKey: string; table: string }
}

/**
 * The course of a model that no longer fits (invariants 6 and 7): 20 rows registered for it and 20
 * for a healthy model; it blocks with an error whose message matches every pattern of `names`
 * (table, column, right), keeps its 20 operations, and the healthy model syncs meanwhile; then `fix`
 * (which may hand over to a restarted harness), `resume`, and the backlog syncs. Returns the broken
 * model's final verdict.
 */
export async function expectBlockedThenResumed(
  context: BlockedModelContext,
  broken: {
    importKey: string
    table: string
    names: RegExp[]
    errorType?: string
    fix: () => Promise<SyncHarness | void>
  },
): Promise<SyncVerdict> {
  const { pool, ch, database, harness, healthy } = context
  const verify = (on: SyncHarness, importKey: string, table: string) =>
    verifySync({
      pool,
      sourceTable: importKey,
      ch,
      database,
      table,
      columns: ['name', 'score'],
      engine: 'replacing',
      storage: on.storage(importKey),
      importKey,
    })
  const insert = async (importKey: string) => {
    const { rows } = await pool.query<{ next: number }>(`SELECT coalesce(max(id), 0) + 1 AS next FROM "${importKey}"`)
    const next = Number(rows[0]?.next)
    await harness.change(
      pool,
      importKey,
      `INSERT INTO "${importKey}" (id, name, score) SELECT g, 'u' || g, g FROM generate_series(${next}, ${next + 19}) g`,
      'insert',
    )
  }

  const handle = await harness.sync(broken.importKey)
  const healthyHandle = await harness.sync(healthy.importKey)
  await insert(broken.importKey)
  await insert(healthy.importKey)
  // The flush returns as soon as the model blocks instead of waiting for its timeout.
  expect(await harness.flush(handle)).toEqual({ synced: false, backlog: 20 })
  const blocked = await harness.until(handle, (status) => status.state === 'blocked')
  expect(blocked.blocked?.type).toBe(broken.errorType ?? 'SchemaMismatchError')
  for (const name of broken.names) expect(blocked.blocked?.message).toMatch(name)
  expect(await harness.storage(broken.importKey).operationsCount(broken.importKey)).toBe(20)

  expect(await harness.flush(healthyHandle)).toEqual({ synced: true, backlog: 0 })
  expectConverged(await verify(harness, healthy.importKey, healthy.table))

  const fixed = (await broken.fix()) ?? harness
  const resumed = await fixed.sync(broken.importKey)
  await resumed.signal(resumeSignal)
  expect(await fixed.flush(resumed)).toEqual({ synced: true, backlog: 0 })
  expect((await fixed.until(resumed, () => true)).state).toBe('running')
  return await verify(fixed, broken.importKey, broken.table)
}
