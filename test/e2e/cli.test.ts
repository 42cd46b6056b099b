import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type pg from 'pg'
import { openStorage } from '../../src/storages/open-storage.js'
import type { RedisStorage } from '../../src/storages/redis/redis-storage.js'
import type { DeadLetter } from '../../src/storages/storage.js'
import type { SyncStatus } from '../../workflows/types.js'
import { postgresPool } from '../utils/clients.js'
import { writeUsersConfig } from '../utils/config-file.js'
import { uniqueName } from '../utils/names.js'
import { requireEnv } from '../utils/services-env.js'
import { WorkerProcess } from '../utils/worker-process.js'

type StatusReport = { importKey: string; status: SyncStatus | null; deadLetters: DeadLetter[] }[]

/** What a user does, with the real bin only: worker, start, flush, status, pause, resume, stop. */
describe('chsync sync commands against a running worker', () => {
  const table = uniqueName('cli')
  const importKey = uniqueName('cli')
  const config = writeUsersConfig({ sourceTable: table, importKey })
  const worker = new WorkerProcess(['--config', config.file], config.env)
  const chsync = (...args: string[]) => config.chsync(...args, '--config', config.file)
  let pool: pg.Pool
  let storage: RedisStorage

  async function status(): Promise<SyncStatus> {
    const { stdout } = await chsync('status', importKey, '--json')
    const [entry] = JSON.parse(stdout) as StatusReport
    expect(entry?.importKey).toBe(importKey)
    return entry?.status as SyncStatus
  }

  beforeAll(async () => {
    pool = postgresPool()
    await config.prepare(pool)
    storage = openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL') })
    await worker.start()
  })

  afterAll(async () => {
    await worker.stop()
    await storage?.close()
    await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
  })

  it('says a model is not started before `start`', async () => {
    const { stdout } = await chsync('status', importKey)
    expect(stdout).toContain(`${importKey}: not started`)
  })

  it('starts every enabled model, idempotently', async () => {
    const first = await chsync('start', '--all')
    expect(first.stdout).toContain(`${importKey}: running as chsync-sync-${importKey}`)
    const again = await chsync('start', importKey)
    expect(again.stdout).toContain(`chsync-sync-${importKey}`)
  })

  it('flushes and waits until what was registered is synced, then reports it in status', async () => {
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO "${table}" SELECT g, 'u' || g, g FROM generate_series(1, 40) g RETURNING id::text AS id`,
    )
    await storage.registerOperations(
      importKey,
      'insert',
      rows.map((row) => row.id),
    )
    const { stdout } = await chsync('flush', importKey, '--wait', '--timeout', '60').catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${(await chsync('status', importKey)).stdout}\n${worker.tail()}`)
    })
    expect(stdout).toContain(`${importKey}: synced, backlog 0`)
    expect(await status()).toMatchObject({ state: 'running', operationsSynced: 40, backlog: 0 })
    const human = await chsync('status', importKey)
    expect(human.stdout).toMatch(/last batch \S+: 40 operations, 40 rows/)
  })

  it('pauses and resumes', async () => {
    await chsync('pause', importKey)
    await expect.poll(async () => (await status()).state, { timeout: 20_000 }).toBe('paused')
    await chsync('resume', importKey)
    await expect.poll(async () => (await status()).state, { timeout: 20_000 }).toBe('running')
  })

  it('names an unknown model and exits 1', async () => {
    const failure = (await chsync('pause', 'no_such_model').catch((error: unknown) => error)) as {
      code: number
      stderr: string
    }
    expect(failure.code).toBe(1)
    expect(failure.stderr).toMatch(/unknown model no_such_model \(known: .*\)/)
  })

  it('re-queues no dead letters when there are none, and stops the workflow', async () => {
    expect((await chsync('retry-dead', importKey)).stdout).toContain('0 operation(s) re-queued')
    await chsync('stop', importKey)
    await expect.poll(async () => (await status()).state, { timeout: 20_000 }).toBe('stopping')
  })
})
