import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import type { Client } from '@temporalio/client'
import type pg from 'pg'
import { openStorage } from '../../../src/storages/open-storage.js'
import { connectClient } from '../../../src/app/temporal/connect.js'
import { startSync } from '../../../src/app/temporal/sync-workflows.js'
import { flushUpdate, stopSignal } from '../../../workflows/messages.js'
import { postgresPool, redisClient } from '../../utils/clients.js'
import { writeUsersConfig } from '../../utils/config-file.js'
import { faultCheck, faultScenario } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { requireEnv } from '../../utils/services-env.js'
import { WorkerProcess } from '../../utils/worker-process.js'

/**
 * Passwords in connection URLs never leave chsync: not in the worker's logs (at debug level) while it
 * syncs, not in the error of a service that refuses them or is down, not in `chsync status [--json]`.
 * The PostgreSQL role and the Redis ACL user are created for this file, with passwords nothing else
 * could print by chance.
 */
const group = 'Bad input'
const DOWN = '127.0.0.1:1'

describe('secrets in connection URLs', () => {
  const role = uniqueName('secret_role')
  const pgSecret = `pgS3cret${randomBytes(6).toString('hex')}`
  const redisUser = uniqueName('secret_user')
  const redisSecret = `redisS3cret${randomBytes(6).toString('hex')}`
  const chSecret = `chS3cret${randomBytes(6).toString('hex')}`
  const secrets = [pgSecret, redisSecret, chSecret]
  const withPassword = (url: string, user: string, password: string) => {
    const parsed = new URL(url)
    parsed.username = user
    parsed.password = password
    return parsed.toString().replace(/\/$/, '')
  }
  const postgresUrl = withPassword(requireEnv('CHSYNC_POSTGRES_URL'), role, pgSecret)
  const redisUrl = withPassword(requireEnv('CHSYNC_REDIS_URL'), redisUser, redisSecret)
  let pool: pg.Pool

  /** Every secret is absent from `output`; the assertion message never repeats them either. */
  const expectNoSecret = (output: string, what: string) => {
    for (const [index, secret] of secrets.entries()) {
      expect(
        output.includes(secret),
        `${what} shows secret #${index + 1}:\n${output.split(secret).join('<SECRET>')}`,
      ).toBe(false)
    }
  }
  /** stdout and stderr of a command, whether it succeeded or not. */
  const outputOf = (run: Promise<{ stdout: string; stderr: string }>) =>
    run.then(
      ({ stdout, stderr }) => stdout + stderr,
      (error: { stdout?: string; stderr?: string; message: string }) =>
        `${error.stdout ?? ''}${error.stderr ?? ''}${error.message}`,
    )

  beforeAll(async () => {
    pool = postgresPool()
    await pool.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${pgSecret}' IN ROLE chsync`)
    const redis = redisClient()
    await redis.call('ACL', 'SETUSER', redisUser, 'on', `>${redisSecret}`, '~*', '&*', '+@all')
    await redis.quit()
  })

  afterAll(async () => {
    const redis = redisClient()
    await redis.call('ACL', 'DELUSER', redisUser)
    await redis.quit()
    await pool?.query(`DROP ROLE IF EXISTS "${role}"`)
    await pool?.end()
  })

  faultScenario(
    {
      group,
      scenario: 'A worker syncing with passwords in its PostgreSQL and Redis URLs never shows them',
      injected: 'PostgreSQL role and Redis ACL user with passwords; worker at debug level; chsync status [--json]',
      timeoutMs: 180_000,
    },
    async () => {
      const table = uniqueName('secret')
      const importKey = uniqueName('secret')
      const config = writeUsersConfig({ sourceTable: table, importKey, postgresUrl, redisUrl })
      const worker = new WorkerProcess(['--config', config.file], { ...config.env, CHSYNC_LOG_LEVEL: 'debug' })
      let client: Client | undefined
      const storage = openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL') })
      try {
        await config.prepare(pool)
        const { rows } = await pool.query<{ id: string }>(
          `INSERT INTO "${table}" SELECT g, 'u' || g, g FROM generate_series(1, 20) g RETURNING id::text AS id`,
        )
        await storage.registerOperations(
          importKey,
          'insert',
          rows.map((row) => row.id),
        )
        await worker.start()
        client = await connectClient(config.temporal)
        const handle = await startSync(client, config.temporal, importKey)
        const flushed = await handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: 120_000 }] })
        expect(flushed, worker.tail()).toEqual({ synced: true, backlog: 0 })
        expectNoSecret(await outputOf(config.chsync('status', '--config', config.file, '--json')), 'status --json')
        expectNoSecret(await outputOf(config.chsync('status', '--config', config.file)), 'status')
        await handle.signal(stopSignal)
        await handle.result()
        await worker.stop()
        expectNoSecret(worker.tail(1_000_000), 'the worker log')
        return await config.verify(pool, storage)
      } finally {
        await worker.stop()
        await client?.connection.close()
        await storage.close()
        await pool.query(`DROP TABLE IF EXISTS "${table}"`)
      }
    },
  )

  faultCheck(
    {
      group,
      scenario: 'A password a service refuses, or meant for a service that is down, stays out of errors',
      injected:
        'wrong PostgreSQL, ClickHouse (18.16 server) and Redis (ACL user) passwords for chsync worker and ' +
        'chsync status --json; a Redis that is down for chsync status --json',
    },
    async () => {
      const cases = {
        postgres: { postgresUrl: withPassword(requireEnv('CHSYNC_POSTGRES_URL'), role, chSecret) },
        clickhouse: { clickhouseUrl: withPassword(requireEnv('CHSYNC_CLICKHOUSE_URL'), 'default', chSecret) },
        redis: { redisUrl: withPassword(requireEnv('CHSYNC_REDIS_URL'), redisUser, chSecret) },
      }
      for (const [service, override] of Object.entries(cases)) {
        const config = writeUsersConfig({ sourceTable: uniqueName('t'), importKey: uniqueName('k'), ...override })
        const refusal = await outputOf(config.chsync('worker', '--config', config.file))
        // The service answered: it is named as reached, with the password masked in its address.
        expect(refusal, service).toMatch(/^chsync: .* at \S*\*\*\*\S* was reached, but refused chsync: /m)
        expectNoSecret(refusal, `chsync worker (${service})`)
        expectNoSecret(
          await outputOf(config.chsync('status', '--config', config.file, '--json')),
          `status (${service})`,
        )
      }
      // status reads dead letters from Redis: down, it is named within seconds, not after minutes of
      // retries (the worker's own start-up error for a service that is down: worker-start.test.ts).
      const down = writeUsersConfig({
        sourceTable: uniqueName('t'),
        importKey: uniqueName('k'),
        redisUrl: `redis://${redisUser}:${redisSecret}@${DOWN}`,
      })
      const status = await outputOf(down.chsync('status', '--config', down.file, '--json'))
      expectNoSecret(status, 'status (Redis down)')
      expect(status).toMatch(/^chsync: cannot reach Redis at redis:\/\/secret_user\w+:\*\*\*@/m)
    },
  )
})
