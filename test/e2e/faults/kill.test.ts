import { afterAll, beforeAll, describe, expect } from 'vitest'
import type { Client } from '@temporalio/client'
import type pg from 'pg'
import { connectClient } from '../../../src/app/temporal/connect.js'
import { startSync } from '../../../src/app/temporal/sync-workflows.js'
import { openStorage } from '../../../src/storages/open-storage.js'
import type { RedisStorage } from '../../../src/storages/redis/redis-storage.js'
import { flushUpdate, stopSignal } from '../../../workflows/messages.js'
import { postgresPool } from '../../utils/clients.js'
import { faultScenario } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { requireEnv } from '../../utils/services-env.js'
import { WorkerProcess } from '../../utils/worker-process.js'
import { WriteLoad } from '../../utils/write-load.js'
import { writeUsersConfig } from '../../utils/config-file.js'

const WRITE_SECONDS = Number(process.env.CHSYNC_KILL_TEST_SECONDS ?? 60)

/**
 * Invariant 1 and 2 under crashes: while a writer changes ~1,000 rows/s, the worker process is
 * killed with SIGKILL at random moments (every 0–5 s) and restarted. Afterwards ClickHouse matches
 * PostgreSQL row by row, no operation is left, and the raw table holds no row twice.
 */
describe('sync survives SIGKILL of the worker at random moments', () => {
  const table = uniqueName('kill')
  const importKey = uniqueName('kill')
  // The embedded ClickHouse directory belongs to the worker process while it runs; this process
  // opens it only at the end, after the last worker stopped.
  const config = writeUsersConfig({ sourceTable: table, importKey, batchSize: 1000, syncDelayMs: 1000 })
  const { temporal } = config
  const worker = new WorkerProcess(['--config', config.file, '--concurrency', '4'], config.env)
  let pool: pg.Pool
  let client: Client
  let storage: RedisStorage

  beforeAll(async () => {
    pool = postgresPool()
    await config.prepare(pool)
    storage = openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL') })
    client = await connectClient(temporal)
    await worker.start()
    await startSync(client, temporal, importKey)
  })

  afterAll(async () => {
    await worker.stop()
    await client?.connection.close()
    await storage?.close()
    await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
  })

  /** Kills the worker at random moments (0–5 s apart) and starts it again, until `until`. */
  async function killRandomly(until: number): Promise<number> {
    let kills = 0
    while (Date.now() < until) {
      await new Promise((done) => setTimeout(done, Math.random() * 5000))
      await worker.kill()
      kills += 1
      await worker.start()
    }
    return kills
  }

  faultScenario(
    {
      group: 'Process and service faults',
      scenario: 'worker killed at random moments under load',
      injected: `SIGKILL of the worker every 0–5 s for ${WRITE_SECONDS} s while ~1,000 changes/s are written`,
      timeoutMs: WRITE_SECONDS * 1000 + 420_000,
    },
    async () => {
      const until = Date.now() + WRITE_SECONDS * 1000
      const load = new WriteLoad(pool, table, (kind, keys) => storage.registerOperations(importKey, kind, keys))
      const [changes, kills] = await Promise.all([load.runFor(WRITE_SECONDS * 1000), killRandomly(until)])
      expect(changes).toBeGreaterThan(WRITE_SECONDS * 500)
      expect(kills).toBeGreaterThan(0)

      const handle = await startSync(client, temporal, importKey)
      const flushed = await handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: 240_000 }] })
      expect(flushed, worker.tail()).toEqual({ synced: true, backlog: 0 })
      await handle.signal(stopSignal)
      await handle.result()
      await worker.stop()
      return config.verify(pool, storage)
    },
  )
})
