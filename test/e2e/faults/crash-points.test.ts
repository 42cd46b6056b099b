import { afterAll, beforeAll, describe, expect } from 'vitest'
import type { Client } from '@temporalio/client'
import type pg from 'pg'
import { openStorage } from '../../../src/storages/open-storage.js'
import type { RedisStorage } from '../../../src/storages/redis/redis-storage.js'
import { connectClient } from '../../../src/temporal/connect.js'
import { startSync, type SyncWorkflowHandle } from '../../../src/temporal/sync-workflows.js'
import { flushUpdate, stopSignal } from '../../../workflows/messages.js'
import { chdbReader } from '../../utils/chdb-reader.js'
import { postgresPool } from '../../utils/clients.js'
import { writeUsersConfig } from '../../utils/config-file.js'
import { faultScenario, verifySync } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { requireEnv } from '../../utils/services-env.js'
import { WorkerProcess } from '../../utils/worker-process.js'

/**
 * SIGKILL pinpointed at each step of a round: the worker dies right after the step did its work and
 * before Temporal heard of it (CHSYNC_CRASH_AFTER), so the step runs again on a fresh worker once its
 * timeout passes. After every step's crash, the batch still arrives exactly once: ClickHouse (read
 * from a child process, so the next worker can still open the embedded directory) equals PostgreSQL.
 */
describe('a worker killed right after each step of a round', () => {
  const table = uniqueName('crash')
  const importKey = uniqueName('crash')
  const config = writeUsersConfig({ sourceTable: table, importKey, syncDelayMs: 500 })
  const healthy = new WorkerProcess(['--config', config.file], config.env)
  let pool: pg.Pool
  let client: Client
  let storage: RedisStorage
  let handle: SyncWorkflowHandle
  let next = 1

  beforeAll(async () => {
    pool = postgresPool()
    await config.prepare(pool)
    storage = openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL') })
    client = await connectClient(config.temporal)
    handle = await startSync(client, config.temporal, importKey)
  })

  afterAll(async () => {
    if (handle) {
      await healthy.start()
      await handle.signal(stopSignal)
      await handle.result()
    }
    await healthy.stop()
    await client?.connection.close()
    await storage?.close()
    await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
  })

  /** Inserts 20 rows, updates 5 and deletes 3 of the older ones, registering each change. */
  async function changeSome(): Promise<void> {
    const change = async (sql: string, kind: 'insert' | 'update' | 'delete', values: unknown[] = []) => {
      const { rows } = await pool.query<{ id: string }>(`${sql} RETURNING id::text AS id`, values)
      await storage.registerOperations(
        importKey,
        kind,
        rows.map((row) => row.id),
      )
    }
    await change(
      `INSERT INTO "${table}" SELECT g, 'u' || g, 0 FROM generate_series($1::int, $1::int + 19) g`,
      'insert',
      [next],
    )
    next += 20
    await change(
      `UPDATE "${table}" SET score = score + 1 WHERE id IN (SELECT id FROM "${table}" ORDER BY random() LIMIT 5)`,
      'update',
    )
    await change(`DELETE FROM "${table}" WHERE id IN (SELECT id FROM "${table}" ORDER BY random() LIMIT 3)`, 'delete')
  }

  const columns = ['name', 'score']

  for (const step of ['preSync', 'fetchRows', 'serializeRows', 'insertBatch', 'postSync']) {
    faultScenario(
      {
        group: 'Process and service faults',
        scenario: `worker killed right after ${step}`,
        injected: `SIGKILL of the worker once ${step} did its work, before Temporal heard of it; a new worker takes over`,
        timeoutMs: 200_000,
      },
      async () => {
        await changeSome()
        const crashing = new WorkerProcess(['--config', config.file], { ...config.env, CHSYNC_CRASH_AFTER: step })
        await crashing.start()
        expect(await crashing.exited(60_000)).toBe('SIGKILL')
        await healthy.start()
        const flushed = await handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: 120_000 }] })
        expect(flushed, healthy.tail()).toEqual({ synced: true, backlog: 0 })
        await healthy.stop()
        return verifySync({
          pool,
          sourceTable: table,
          ch: chdbReader(config.chdbDir),
          database: config.database,
          table: 'users',
          columns,
          engine: 'replacing',
          storage,
          importKey,
        })
      },
    )
  }
})
