import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Connection } from '@temporalio/client'
import proto from '@temporalio/proto'
import type pg from 'pg'
import { openStorage } from '../../src/storages/open-storage.js'
import type { Storage } from '../../src/storages/storage.js'
import { postgresPool } from '../utils/clients.js'
import { writeUsersConfig } from '../utils/config-file.js'
import { uniqueName } from '../utils/names.js'
import { requireEnv } from '../utils/services-env.js'
import { waitUntil } from '../utils/wait-until.js'
import { WorkerProcess } from '../utils/worker-process.js'

/**
 * A Temporal namespace other than the dev script's `default` has none of chsync's search attributes,
 * as on any real cluster: the worker must refuse it, and `chsync setup` must fix it.
 */
describe('chsync setup and the worker’s search-attribute check on a fresh namespace', () => {
  const namespace = uniqueName('chsync_ns')
  const table = uniqueName('setup')
  const importKey = uniqueName('setup')
  const temporal = { address: requireEnv('CHSYNC_TEMPORAL_ADDRESS'), namespace, taskQueue: uniqueName('setup') }
  const config = writeUsersConfig({
    sourceTable: table,
    importKey,
    configExtra: `temporal: ${JSON.stringify(temporal)}`,
  })
  const chsync = (...args: string[]) => config.chsync(...args, '--config', config.file)
  const worker = new WorkerProcess(['--config', config.file], config.env)
  let connection: Connection
  let pool: pg.Pool
  let storage: Storage

  beforeAll(async () => {
    connection = await Connection.connect({ address: temporal.address })
    // The dev server lets a client create namespaces (fromObject: protobufjs takes a number for int64).
    const workflowExecutionRetentionPeriod = proto.google.protobuf.Duration.fromObject({ seconds: 24 * 3600 })
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod })
    await waitUntil(`namespace ${namespace} known to the frontend`, () =>
      connection.workflowService.describeNamespace({ namespace }),
    )
    pool = postgresPool()
    await config.prepare(pool)
    storage = openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL') })
  })

  afterAll(async () => {
    await worker.stop()
    await storage?.close()
    await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
    await connection?.close()
  })

  it('refuses to start a worker on a namespace without them, naming the command to run', async () => {
    await expect(worker.start()).rejects.toThrow(
      new RegExp(`Temporal namespace ${namespace} lacks the search attributes ChsyncModel, .*run \`chsync setup\``),
    )
    await worker.stop()
  })

  it('registers them once, and says so; run again it changes nothing', async () => {
    const first = await chsync('setup')
    expect(first.stdout).toContain(
      `registered search attributes ChsyncModel, ChsyncState, ChsyncBacklog, ChsyncLastSyncTime on Temporal namespace ${namespace}`,
    )
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace })
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(['ChsyncModel', 'ChsyncState', 'ChsyncBacklog', 'ChsyncLastSyncTime']),
    )
    const again = await chsync('setup')
    expect(again.stdout).not.toContain('registered search attributes')
    expect(again.stdout).toContain('already registered: ChsyncModel, ChsyncState, ChsyncBacklog, ChsyncLastSyncTime')
  })

  it('then runs the worker, and a model syncs on that namespace', async () => {
    await worker.start()
    await chsync('start', importKey)
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO "${table}" SELECT g, 'u' || g, g FROM generate_series(1, 20) g RETURNING id::text AS id`,
    )
    await storage.registerOperations(
      importKey,
      'insert',
      rows.map((row) => row.id),
    )
    const { stdout } = await chsync('flush', importKey, '--wait', '--timeout', '60').catch((error: unknown) => {
      throw new Error(`${String(error)}\n${worker.tail()}`)
    })
    expect(stdout).toContain(`${importKey}: synced, backlog 0`)
  })
})
