import { afterAll, beforeAll, describe, expect } from 'vitest'
import type { Client } from '@temporalio/client'
import type pg from 'pg'
import { connectClient } from '../../../src/app/temporal/connect.js'
import { backfillHandle } from '../../../src/app/temporal/backfill-workflows.js'
import { openStorage } from '../../../src/storages/open-storage.js'
import type { Storage } from '../../../src/storages/storage.js'
import type { BackfillStatus } from '../../../workflows/backfill-types.js'
import { backfillStatusQuery } from '../../../workflows/messages.js'
import { postgresPool } from '../../utils/clients.js'
import { writeUsersConfig } from '../../utils/config-file.js'
import { faultScenario } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { requireEnv } from '../../utils/services-env.js'
import { waitUntil } from '../../utils/wait-until.js'
import { WorkerProcess } from '../../utils/worker-process.js'

const ROWS = 100_000
const RANGE_ROWS = 5_000

/**
 * A backfill survives its worker being killed twice: once right after a range landed in ClickHouse
 * and before the copy was reported (the range is re-sent: its token makes it harmless), once at an
 * arbitrary moment with copies in flight. It resumes from the ranges recorded done and ends with
 * every row once.
 */
describe('backfill survives SIGKILL of the worker', () => {
  const table = uniqueName('bfkill')
  const importKey = uniqueName('bfkill')
  const config = writeUsersConfig({
    sourceTable: table,
    importKey,
    activityTimeouts: { heartbeatMs: 3000, bookkeepingMs: 5000 },
  })
  const args = ['--config', config.file, '--concurrency', '4']
  let pool: pg.Pool
  let client: Client
  let storage: Storage

  beforeAll(async () => {
    pool = postgresPool()
    await config.prepare(pool)
    await pool.query(`INSERT INTO "${table}" SELECT g, 'user ' || g, g FROM generate_series(1, $1::int) g`, [ROWS])
    storage = openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL') })
    client = await connectClient(config.temporal)
  })
  afterAll(async () => {
    await client?.connection.close()
    await storage?.close()
    await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
  })

  const status = (): Promise<BackfillStatus> => backfillHandle(client, importKey).query(backfillStatusQuery)

  faultScenario(
    {
      group: 'Process and service faults',
      scenario: 'backfill: worker killed after a range landed, then mid-copy',
      injected: `SIGKILL at copyRange:inserted, then SIGKILL with ranges in flight (${ROWS} rows, ranges of ${RANGE_ROWS})`,
      timeoutMs: 400_000,
    },
    async () => {
      const crashing = new WorkerProcess(args, { ...config.env, CHSYNC_CRASH_AT: 'copyRange:inserted' })
      await crashing.start()
      await config.chsync(
        'backfill',
        importKey,
        '--detach',
        '--parallel',
        '2',
        '--range-rows',
        String(RANGE_ROWS),
        '--config',
        config.file,
      )
      expect(await crashing.exited(120_000)).toBe('SIGKILL')

      const worker = new WorkerProcess(args, config.env)
      await worker.start()
      const midway = (await waitUntil(
        'five ranges copied',
        async () => {
          const now = await status()
          return now.rangesDone >= 5 && now.rangesInFlight > 0 ? now : null
        },
        240_000,
      )) as BackfillStatus
      await worker.kill()
      expect(midway.rangesDone).toBeLessThan(midway.ranges)

      await worker.start()
      const done = await backfillHandle(client, importKey).result()
      expect(done).toMatchObject({ state: 'done', ranges: ROWS / RANGE_ROWS + 1, rows: ROWS })
      const { stdout } = await config.chsync('backfill', 'status', importKey, '--json', '--config', config.file)
      expect(JSON.parse(stdout)).toMatchObject({ state: 'done', rangesDone: ROWS / RANGE_ROWS + 1, etaSeconds: 0 })
      await worker.stop()
      return config.verify(pool, storage)
    },
  )
})
