import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { escapeIdentifier } from 'pg'
import { Command } from 'commander'
import { captureCommand } from '../../../../src/app/cli/capture.js'
import { ConfigError } from '../../../../src/errors.js'
import { RedisStorage } from '../../../../src/storages/redis/index.js'
import { postgresPool, redisClient } from '../../../utils/clients.js'
import { writeUsersConfig } from '../../../utils/config-file.js'
import { flushRedisStorage } from '../../../utils/flush-redis-storage.js'
import { uniqueName } from '../../../utils/names.js'
import { requireEnv } from '../../../utils/services-env.js'

/**
 * Runs `chsync capture …` in this process, against the shared services (program.ts reads the
 * package.json beside the built dist/, so the command is mounted on a bare program here).
 */
async function chsync(...args: string[]): Promise<string> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined)
  try {
    await new Command('chsync').exitOverride().addCommand(captureCommand()).parseAsync(args, { from: 'user' })
    return log.mock.calls.map((call) => call.join(' ')).join('\n')
  } finally {
    log.mockRestore()
  }
}

describe('chsync capture', () => {
  const pool = postgresPool()
  const redis = redisClient()
  const table = uniqueName('cli_capture')
  const outboxSchema = uniqueName('chsync_test')
  const prefix = uniqueName('chsync_test')
  const importKey = uniqueName('model')

  beforeAll(() => pool.query(`CREATE TABLE ${escapeIdentifier(table)} (a int, b text, PRIMARY KEY (a, b))`))
  afterAll(async () => {
    await flushRedisStorage(new RedisStorage(redis, { prefix }))
    await redis.quit()
    await pool.query(`DROP TABLE IF EXISTS ${escapeIdentifier(table)}`)
    await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(outboxSchema)} CASCADE`)
    await pool.end()
  })

  it('installs, relays (under the config’s redis.prefix) and removes the triggers of a model named in the config', async () => {
    const source = uniqueName('cli_capture_model')
    const modelKey = uniqueName('model')
    await pool.query(`CREATE TABLE ${escapeIdentifier(source)} (id bigint PRIMARY KEY, name text)`)
    try {
      const redisExtra = `redis: { url: ${JSON.stringify(requireEnv('CHSYNC_REDIS_URL'))}, prefix: ${JSON.stringify(prefix)} },`
      const config = writeUsersConfig({ sourceTable: source, importKey: modelKey, configExtra: redisExtra })
      const options = ['--config', config.file, '--outbox-schema', outboxSchema]
      expect(await chsync('capture', 'install', modelKey, ...options)).toBe(
        `capture installed for ${modelKey} on public.${source}`,
      )
      await pool.query(`INSERT INTO ${escapeIdentifier(source)} VALUES (1, 'x')`)
      const captured = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${escapeIdentifier(outboxSchema)}.operations WHERE import_key = $1`,
        [modelKey],
      )
      expect(captured.rows[0]?.n).toBe(1)
      expect(await chsync('capture', 'relay', modelKey, ...options)).toBe(`relayed 1 operations of ${modelKey}`)
      expect(await new RedisStorage(redis, { prefix }).operationsCount(modelKey)).toBe(1)
      expect(await chsync('capture', 'remove', modelKey, ...options)).toBe(`capture removed for ${modelKey}`)
      await expect(chsync('capture', 'install', 'no_such_model', ...options)).rejects.toThrow(
        /unknown import key no_such_model/,
      )
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${escapeIdentifier(source)}`)
    }
  })

  it('installs triggers, relays what they captured into Redis, and removes them', async () => {
    const common = ['--import-key', importKey, '--outbox-schema', outboxSchema]
    expect(await chsync('capture', 'install', ...common, '--table', table, '--primary-key', 'a, b')).toMatch(
      /capture installed/,
    )
    await pool.query(`INSERT INTO ${escapeIdentifier(table)} VALUES (1, 'x'), (2, 'y')`)
    expect(await chsync('capture', 'relay', ...common, '--redis-prefix', prefix)).toBe(
      `relayed 2 operations of ${importKey}`,
    )
    expect(await new RedisStorage(redis, { prefix }).operationsCount(importKey)).toBe(2)
    expect(await chsync('capture', 'remove', ...common)).toMatch(/capture removed/)
    await pool.query(`INSERT INTO ${escapeIdentifier(table)} VALUES (3, 'z')`)
    expect(await chsync('capture', 'relay', ...common, '--redis-prefix', prefix)).toBe(
      `relayed 0 operations of ${importKey}`,
    )
  })

  it('names a missing table', async () => {
    await expect(
      chsync('capture', 'install', '--import-key', 'x', '--table', 'no_such_table', '--primary-key', 'id'),
    ).rejects.toThrow(ConfigError)
  })
})
