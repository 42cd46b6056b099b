import { afterAll, beforeAll, describe, expect } from 'vitest'
import type { Client } from '@temporalio/client'
import type pg from 'pg'
import { connectClient } from '../../../src/app/temporal/connect.js'
import { startSync } from '../../../src/app/temporal/sync-workflows.js'
import { openStorage } from '../../../src/storages/open-storage.js'
import type { OperationKind, Storage } from '../../../src/storages/storage.js'
import { flushUpdate, stopSignal } from '../../../workflows/messages.js'
import { postgresPool } from '../../utils/clients.js'
import { faultScenario } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { requireEnv } from '../../utils/services-env.js'
import { WorkerProcess } from '../../utils/worker-process.js'
import { WriteLoad } from '../../utils/write-load.js'
import { HotKeysLoad } from '../../utils/hot-keys-load.js'
import { writeUsersConfig } from '../../utils/config-file.js'

const WRITE_SECONDS = Number(process.env.CHSYNC_KILL_TEST_SECONDS ?? 60)

/** The loads the worker is killed under: a steady stream of new keys, or eight writers racing on 200 keys. */
const LOADS = {
  steady: '~1,000 changes/s are written',
  'hot keys': 'eight writers insert, update and delete the same 200 keys',
} as const

/**
 * Invariant 1 and 2 under crashes: while a load writes, the worker process is killed with SIGKILL
 * at random moments (every 0–5 s) and restarted, on each storage. Afterwards ClickHouse matches
 * PostgreSQL row by row, no operation is left, and the raw table holds no row twice.
 */
describe.each([
  { storageKind: 'redis' as const, load: 'steady' as const },
  { storageKind: 'postgres' as const, load: 'steady' as const },
  { storageKind: 'redis' as const, load: 'hot keys' as const },
  { storageKind: 'postgres' as const, load: 'hot keys' as const },
])('sync survives SIGKILL of the worker at random moments ($storageKind, $load)', ({ storageKind, load }) => {
  const table = uniqueName('kill')
  const importKey = uniqueName('kill')
  // The embedded ClickHouse directory belongs to the worker process while it runs; this process
  // opens it only at the end, after the last worker stopped.
  const config = writeUsersConfig({
    sourceTable: table,
    importKey,
    batchSize: 1000,
    syncDelayMs: 1000,
    storage: storageKind,
  })
  const { temporal } = config
  const worker = new WorkerProcess(['--config', config.file, '--concurrency', '4'], config.env)
  let pool: pg.Pool
  let client: Client
  let storage: Storage

  beforeAll(async () => {
    pool = postgresPool()
    await config.prepare(pool)
    storage =
      storageKind === 'redis'
        ? openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL') })
        : openStorage({ kind: 'postgres', url: requireEnv('CHSYNC_POSTGRES_URL') })
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
      // The first row keeps its name: earlier runs of the suite recorded it.
      scenario:
        storageKind === 'redis' && load === 'steady'
          ? 'worker killed at random moments under load'
          : `worker killed at random moments under load (${storageKind === 'redis' ? 'Redis' : 'PostgresStorage'}, ${load})`,
      injected: `SIGKILL of the worker every 0–5 s for ${WRITE_SECONDS} s while ${LOADS[load]}`,
      timeoutMs: WRITE_SECONDS * 1000 + 420_000,
    },
    async () => {
      const until = Date.now() + WRITE_SECONDS * 1000
      const register = (kind: OperationKind, keys: string[]) => storage.registerOperations(importKey, kind, keys)
      const writes = load === 'steady' ? new WriteLoad(pool, table, register) : new HotKeysLoad(pool, table, register)
      const [changes, kills] = await Promise.all([writes.runFor(WRITE_SECONDS * 1000), killRandomly(until)])
      expect(changes).toBeGreaterThan(WRITE_SECONDS * (load === 'steady' ? 500 : 50))
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
