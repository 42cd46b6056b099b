import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type pg from 'pg'
import { openStorage } from '../../src/storages/open-storage.js'
import type { RedisStorage } from '../../src/storages/redis/redis-storage.js'
import type { ModelStatusReport } from '../../src/app/cli/model-status.js'
import type { SyncStatus } from '../../workflows/types.js'
import { postgresPool } from '../utils/clients.js'
import { writeUsersConfig } from '../utils/config-file.js'
import { uniqueName } from '../utils/names.js'
import { requireEnv } from '../utils/services-env.js'
import { WorkerProcess } from '../utils/worker-process.js'

/** What a user does, with the real bin only: worker, start, flush, status, pause, resume, stop. */
describe('chsync sync commands against a running worker', () => {
  const table = uniqueName('cli')
  const importKey = uniqueName('cli')
  // A prefix of its own: if the worker or a command ignored redis.prefix, the operations this test
  // registers under it would never be synced or counted.
  const prefix = uniqueName('cli_prefix')
  const config = writeUsersConfig({
    sourceTable: table,
    importKey,
    configExtra: `redis: { url: ${JSON.stringify(requireEnv('CHSYNC_REDIS_URL'))}, prefix: ${JSON.stringify(prefix)} },`,
  })
  const worker = new WorkerProcess(['--config', config.file], config.env)
  const chsync = (...args: string[]) => config.chsync(...args, '--config', config.file)
  let pool: pg.Pool
  let storage: RedisStorage

  async function report(): Promise<ModelStatusReport> {
    const { stdout } = await chsync('status', importKey, '--json')
    const [entry] = JSON.parse(stdout) as ModelStatusReport[]
    expect(entry?.importKey).toBe(importKey)
    return entry as ModelStatusReport
  }
  const status = async () => (await report()).status as SyncStatus

  beforeAll(async () => {
    pool = postgresPool()
    await config.prepare(pool)
    storage = openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL'), prefix })
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

  it('logs one line per synced round at the default level', async () => {
    // WorkerProcess runs the worker at CHSYNC_LOG_LEVEL=info, the default, unless the tests set another.
    await expect.poll(() => worker.printed('"msg":"round synced"'), { timeout: 10_000 }).toBe(true)
    const rounds = worker
      .tail(500)
      .split('\n')
      .filter((line) => line.includes('"msg":"round synced"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(rounds).toHaveLength(1)
    expect(rounds[0]).toMatchObject({ level: 30, importKey, operations: 40, rows: 40, backlog: 0 })
    expect(rounds[0]).toHaveProperty('batchId')
    expect(rounds[0]).toHaveProperty('durationMs')
  })

  it('pauses and resumes', async () => {
    await chsync('pause', importKey)
    await expect.poll(async () => (await status()).state, { timeout: 20_000 }).toBe('paused')
    await chsync('resume', importKey)
    await expect.poll(async () => (await status()).state, { timeout: 20_000 }).toBe('running')
  })

  it('shows what Temporal and the storage know while no worker runs, and says so', async () => {
    await worker.stop()
    try {
      await storage.registerOperations(importKey, 'update', ['1', '2'])
      const human = await chsync('status', importKey)
      expect(human.stdout).toContain(`${importKey}: running\n`)
      expect(human.stdout).toMatch(/no worker (polls|on) task queue/)
      expect(human.stdout).toMatch(/backlog 2, last sync \d{4}-/)
      const json = await report()
      expect(json).toMatchObject({ state: 'running', execution: 'RUNNING', status: null, backlog: 2 })
      expect(json.noWorker).toMatch(new RegExp(`^no worker .*${config.temporal.taskQueue}`))
    } finally {
      await worker.start()
    }
    await chsync('flush', importKey, '--wait', '--timeout', '60')
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
    await expect.poll(async () => (await report()).execution, { timeout: 20_000 }).toBe('COMPLETED')
    expect(await report()).toMatchObject({ state: 'stopped', status: null, noWorker: null })
    expect((await chsync('status', importKey)).stdout).toContain(`${importKey}: stopped (chsync start ${importKey}`)
  })
})

/** Two apps on one Redis, each with its own `redis.prefix`: the same import key, separate operations. */
describe('chsync with redis.prefix in the config', () => {
  const importKey = uniqueName('prefix')
  const redisUrl = requireEnv('CHSYNC_REDIS_URL')
  const apps = ['app_a', 'app_b'].map((name) => {
    const prefix = uniqueName(name)
    const config = writeUsersConfig({
      sourceTable: uniqueName('prefix'),
      importKey,
      configExtra: `redis: { url: ${JSON.stringify(redisUrl)}, prefix: ${JSON.stringify(prefix)} },`,
    })
    return { prefix, config }
  })
  const storages = apps.map((app) => openStorage({ kind: 'redis', url: redisUrl, prefix: app.prefix }))

  afterAll(async () => {
    await Promise.all(storages.map((storage) => storage.close()))
  })

  async function backlog(index: number): Promise<number> {
    const { config } = apps[index] as (typeof apps)[number]
    const { stdout } = await config.chsync('status', importKey, '--json', '--config', config.file)
    return (JSON.parse(stdout) as ModelStatusReport[])[0]?.backlog ?? -1
  }

  it("keeps each config's operations under its own prefix", async () => {
    await storages[0]?.registerOperations(importKey, 'insert', ['1', '2', '3'])
    await storages[1]?.registerOperations(importKey, 'insert', ['9'])
    expect(await backlog(0)).toBe(3)
    expect(await backlog(1)).toBe(1)
  })
})
