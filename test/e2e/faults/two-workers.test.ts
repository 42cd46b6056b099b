import { afterAll, beforeAll, describe, expect } from 'vitest'
import type { Client } from '@temporalio/client'
import type pg from 'pg'
import { openClickHouse, quoteIdentifier, type ClickHouseDatabase } from '../../../src/clickhouse/index.js'
import { openStorage } from '../../../src/storages/open-storage.js'
import type { RedisStorage } from '../../../src/storages/redis/redis-storage.js'
import { connectClient } from '../../../src/app/temporal/connect.js'
import { startSync, type SyncWorkflowHandle } from '../../../src/app/temporal/sync-workflows.js'
import { flushUpdate, statusQuery, stopSignal } from '../../../workflows/messages.js'
import { postgresPool } from '../../utils/clients.js'
import { writeUsersConfig } from '../../utils/config-file.js'
import { faultScenario } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { requireEnv } from '../../utils/services-env.js'
import { waitUntil } from '../../utils/wait-until.js'
import { WorkerProcess } from '../../utils/worker-process.js'
import { WriteLoad } from '../../utils/write-load.js'

/**
 * Two `chsync worker` processes with the same config on the same task queue, under ~1,000
 * changes/s, one of them restarted mid-way: Temporal runs each model's steps one at a time on either
 * worker, so nothing is doubled even on the ClickHouse 18.16 server, which has no deduplication
 * tokens (chDB could not serve two processes). CollapsingMergeTree, since 18.16 has no
 * ReplacingMergeTree(version, is_deleted).
 */
describe('two workers serve the same model at once', () => {
  const table = uniqueName('twin')
  const importKey = uniqueName('twin')
  const config = writeUsersConfig({
    sourceTable: table,
    importKey,
    batchSize: 500,
    syncDelayMs: 500,
    clickhouseUrl: requireEnv('CHSYNC_CLICKHOUSE_URL'),
    engine: 'collapsing',
  })
  const workers = [0, 1].map(() => new WorkerProcess(['--config', config.file], config.env))
  let pool: pg.Pool
  let storage: RedisStorage
  let client: Client
  let handle: SyncWorkflowHandle
  let ch: ClickHouseDatabase

  beforeAll(async () => {
    pool = postgresPool()
    await config.prepare(pool)
    storage = openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL') })
    ch = openClickHouse({ url: requireEnv('CHSYNC_CLICKHOUSE_URL'), database: config.database })
    await Promise.all(workers.map((worker) => worker.start()))
    client = await connectClient(config.temporal)
    handle = await startSync(client, config.temporal, importKey)
  })

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()))
    await client?.connection.close()
    await storage?.close()
    await ch?.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(config.database)}` })
    await ch?.client.close()
    await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
  })

  /** Rounds committed so far, once the count passes `after`. */
  const roundsPast = (after: number) => async () => {
    const { rounds } = await handle.query(statusQuery)
    return rounds > after ? rounds : 0
  }

  /** The pids of the workers (identity `<pid>@<host>`) that ran an activity of the workflow, in order. */
  async function activityPids(): Promise<number[]> {
    const history = await handle.fetchHistory()
    const identities = (history.events ?? []).map((event) => event.activityTaskStartedEventAttributes?.identity)
    return identities.filter((identity): identity is string => Boolean(identity)).map((i) => Number(i.split('@')[0]))
  }

  faultScenario(
    {
      group: 'Process and service faults',
      scenario: 'two workers on the same task queue, one restarted (server 18.16)',
      injected:
        'two worker processes with the same config serve the model while ~1,000 changes/s are written; the one serving it is stopped and started again mid-way',
      timeoutMs: 240_000,
    },
    async () => {
      const load = new WriteLoad(pool, table, (kind, keys) => storage.registerOperations(importKey, kind, keys)).start()
      // The worker that ran the latest activity is the one serving the model: the workflow's tasks
      // stick to the worker that caches it, and its syncBatch comes back eagerly in their replies.
      let busy: WorkerProcess | undefined
      let other: WorkerProcess | undefined
      try {
        const before = await waitUntil('rounds committed', roundsPast(10), 120_000)
        const serving = (await activityPids()).at(-1)
        busy = workers.find((worker) => worker.pid === serving)
        other = workers.find((worker) => worker !== busy)
        expect(busy, `no worker has pid ${serving}`).toBeDefined()
        // The other carries on while the busy one restarts; then both are there again.
        const stoppedPid = busy?.pid
        await busy?.stop()
        await busy?.start()
        await waitUntil('rounds committed after the restart', roundsPast(before + 10), 120_000)
        // Both processes really worked on the model: the stopped one before, the other after.
        expect(await activityPids()).toEqual(expect.arrayContaining([stoppedPid, other?.pid]))
      } finally {
        await load.stop()
      }
      const flushed = await handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: 120_000 }] })
      expect(flushed, other?.tail()).toEqual({ synced: true, backlog: 0 })
      await handle.signal(stopSignal)
      await handle.result()
      return config.verify(pool, storage, ch)
    },
  )
})
