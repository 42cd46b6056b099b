import { afterAll, beforeAll, describe, expect } from 'vitest'
import type { Client } from '@temporalio/client'
import type pg from 'pg'
import { openStorage } from '../../../src/storages/open-storage.js'
import type { RedisStorage } from '../../../src/storages/redis/redis-storage.js'
import { connectClient } from '../../../src/app/temporal/connect.js'
import { startSync, type SyncWorkflowHandle } from '../../../src/app/temporal/sync-workflows.js'
import { flushUpdate, statusQuery, stopSignal } from '../../../workflows/messages.js'
import { postgresPool } from '../../utils/clients.js'
import { writeUsersConfig } from '../../utils/config-file.js'
import { CRASH_TEST_TIMEOUTS } from '../../utils/crash-rig.js'
import { faultScenario } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { PrivateService } from '../../utils/private-service.js'
import { requireEnv } from '../../utils/services-env.js'
import { waitUntil } from '../../utils/wait-until.js'
import { WorkerProcess } from '../../utils/worker-process.js'
import { WriteLoad } from '../../utils/write-load.js'

/** Operations that pile up while Temporal is down: several seconds of the write load. */
const OUTAGE_CHANGES = 3_000

/**
 * The Temporal server restarted under load: a private dev server (its SQLite history persists
 * across the restart) is stopped and started again while ~1,000 changes/s are written. The
 * workflow carries on from its history, the same worker process reconnects by itself, and the sync
 * converges exactly once.
 */
describe('sync survives a restart of the Temporal server', () => {
  const table = uniqueName('temporal')
  const importKey = uniqueName('temporal')
  let temporal: PrivateService
  let config: ReturnType<typeof writeUsersConfig>
  let worker: WorkerProcess
  let pool: pg.Pool
  let storage: RedisStorage
  let client: Client
  let handle: SyncWorkflowHandle

  beforeAll(async () => {
    temporal = await PrivateService.create('temporal')
    await temporal.up()
    config = writeUsersConfig({
      sourceTable: table,
      importKey,
      batchSize: 1000,
      syncDelayMs: 500,
      temporalAddress: temporal.setting('CHSYNC_TEMPORAL_ADDRESS'),
      activityTimeouts: CRASH_TEST_TIMEOUTS,
    })
    pool = postgresPool()
    await config.prepare(pool)
    storage = openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL') })
    worker = new WorkerProcess(['--config', config.file], config.env)
    await worker.start()
    client = await connectClient(config.temporal)
    handle = await startSync(client, config.temporal, importKey)
  })

  afterAll(async () => {
    try {
      // A scenario that failed mid-outage leaves the server down: bring it back to stop the workflow.
      await temporal?.up()
      if (handle && worker?.alive) {
        await handle.signal(stopSignal)
        await handle.result()
      }
    } finally {
      await worker?.stop()
      await client?.connection.close()
      await storage?.close()
      await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
      await pool?.end()
      await temporal?.remove()
    }
  })

  /** Rounds committed so far, once the count passes `after`. */
  const roundsPast = (after: number) => async () => {
    const { rounds } = await handle.query(statusQuery)
    return rounds > after ? rounds : 0
  }

  faultScenario(
    {
      group: 'Process and service faults',
      scenario: 'Temporal server restarted under load',
      injected: `Temporal dev server stopped (history persisted) until ${OUTAGE_CHANGES} more operations waited, then started again, under ~1,000 changes/s`,
      timeoutMs: 240_000,
    },
    async () => {
      const load = new WriteLoad(pool, table, (kind, keys) => storage.registerOperations(importKey, kind, keys)).start()
      try {
        const before = await waitUntil('a round committed before the restart', roundsPast(0))
        await temporal.down()
        // Down long enough for a backlog to pile up and the worker's polls to fail.
        const piled = (await storage.operationsCount(importKey)) + OUTAGE_CHANGES
        await waitUntil(
          'a backlog piled up during the outage',
          async () => (await storage.operationsCount(importKey)) >= piled,
        )
        await temporal.up()
        await waitUntil('rounds committed after the restart', roundsPast(before + 1), 120_000)
        expect(worker.alive, worker.tail()).toBe(true)
      } finally {
        await load.stop()
      }
      const flushed = await handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: 120_000 }] })
      expect(flushed, worker.tail()).toEqual({ synced: true, backlog: 0 })
      await handle.signal(stopSignal)
      await handle.result()
      await worker.stop()
      return config.verify(pool, storage)
    },
  )
})
