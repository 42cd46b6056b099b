import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { DEFAULT_DATABASES, loadConfig, parseConfig } from '../../../src/config/index.js'
import { ConfigError } from '../../../src/errors.js'
import { userEvents, users } from '../../fixtures/models/users.js'

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/config')
const minimal = { postgres: { url: 'postgres://app@127.0.0.1/app' }, models: [users] }

describe('parseConfig', () => {
  it('fills defaults: one embedded default alias, local Redis and Temporal', () => {
    const config = parseConfig(minimal, { env: {}, baseDir: '/srv/app' })
    expect(config.databases).toEqual(DEFAULT_DATABASES)
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'chsync' })
    expect(config.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'chsync' })
    expect(config.migrationsDir).toBe('/srv/app/migrations')
    expect(config.registry.get('users').models).toEqual([users])
  })

  it('lets environment variables override connection settings', () => {
    const config = parseConfig(minimal, {
      env: {
        CHSYNC_POSTGRES_URL: 'postgres://env@db/app',
        CHSYNC_REDIS_URL: 'redis://env:6379',
        CHSYNC_CLICKHOUSE_URL: 'http://ch:8123',
        CHSYNC_TEMPORAL_ADDRESS: 'temporal:7233',
      },
    })
    expect(config.postgres.url).toBe('postgres://env@db/app')
    expect(config.redis.url).toBe('redis://env:6379')
    expect(config.databases.default).toEqual({ url: 'http://ch:8123', database: 'default' })
    expect(config.temporal.address).toBe('temporal:7233')
  })

  it.each([
    {
      name: 'a wrong type, by key path',
      raw: { ...minimal, databases: { analytics: { url: 42, database: 'a' } } },
      message: 'databases.analytics.url: expected string',
    },
    { name: 'an unknown top-level key', raw: { ...minimal, databses: {} }, message: 'databses: unknown key' },
    {
      name: 'an unknown nested key',
      raw: { ...minimal, databases: { a: { url: 'x', pasword: 'p' } } },
      message: 'databases.a.pasword: unknown key',
    },
    { name: 'a missing section', raw: { models: [] }, message: 'postgres: expected object' },
    { name: 'a non-model', raw: { ...minimal, models: [{ table: 'x' }] }, message: 'models.0: expected a model' },
    {
      name: 'an activity timeout under a second',
      raw: { ...minimal, temporal: { activityTimeouts: { heartbeatMs: 500 } } },
      message: 'temporal.activityTimeouts.heartbeatMs',
    },
    {
      name: 'a duplicate import key',
      raw: { ...minimal, models: [users, users] },
      message: 'duplicate import key users',
    },
  ])('rejects $name with a ConfigError naming it', ({ raw, message }) => {
    expect(() => parseConfig(raw, { env: {} })).toThrow(ConfigError)
    expect(() => parseConfig(raw, { env: {} })).toThrow(message)
  })

  it('takes redis.prefix, and keeps it when CHSYNC_REDIS_URL overrides the URL', () => {
    const raw = { ...minimal, redis: { url: 'redis://cache:6379', prefix: 'app_a' } }
    expect(parseConfig(raw, { env: {} }).redis).toEqual({ url: 'redis://cache:6379', prefix: 'app_a' })
    expect(parseConfig(raw, { env: { CHSYNC_REDIS_URL: 'redis://env:6379' } }).redis).toEqual({
      url: 'redis://env:6379',
      prefix: 'app_a',
    })
    expect(() => parseConfig({ ...raw, redis: { url: 'redis://cache', prefix: '' } }, { env: {} })).toThrow(
      /redis\.prefix/,
    )
  })

  it('takes from the local stack only the connections the config leaves out, below real variables', () => {
    const stack = {
      CHSYNC_POSTGRES_URL: 'postgres://stack@127.0.0.1:55432/chsync',
      CHSYNC_REDIS_URL: 'redis://127.0.0.1:56379',
      CHSYNC_TEMPORAL_ADDRESS: '127.0.0.1:57233',
      CHSYNC_CLICKHOUSE_URL: 'http://127.0.0.1:58123',
    }
    const bare = parseConfig({ models: [users] }, { env: {}, stack })
    expect(bare.postgres.url).toBe(stack.CHSYNC_POSTGRES_URL)
    expect(bare.redis.url).toBe(stack.CHSYNC_REDIS_URL)
    expect(bare.temporal.address).toBe(stack.CHSYNC_TEMPORAL_ADDRESS)
    // ClickHouse stays embedded: a config without databases means chDB.
    expect(bare.databases).toEqual(DEFAULT_DATABASES)
    const named = parseConfig(
      { ...minimal, redis: { url: 'redis://mine:6379' }, temporal: { address: 'mine:7233' } },
      { env: {}, stack },
    )
    expect([named.postgres.url, named.redis.url, named.temporal.address]).toEqual([
      minimal.postgres.url,
      'redis://mine:6379',
      'mine:7233',
    ])
    const env = { CHSYNC_REDIS_URL: 'redis://env:6379' }
    expect(parseConfig({ models: [users] }, { env, stack }).redis.url).toBe('redis://env:6379')
  })

  it('passes temporal.activityTimeouts on to the workflows the CLI starts', () => {
    const activityTimeouts = { heartbeatMs: 10_000, bookkeepingMs: 5_000 }
    const config = parseConfig({ ...minimal, temporal: { activityTimeouts } }, { env: {} })
    expect(config.temporal.activityTimeouts).toEqual(activityTimeouts)
  })

  it('never shows a password in its errors', () => {
    const raw = { ...minimal, databases: { a: { url: 'http://u:hunter2@h', password: 7 } } }
    expect(() => parseConfig(raw, { env: {} })).toThrow(/databases.a.password: expected string/)
    expect(() => parseConfig(raw, { env: {} })).not.toThrow(/hunter2/)
    expect(parseConfig({ ...minimal, models: [users, userEvents] }, { env: {} }).registry.syncUnits()).toHaveLength(2)
  })
})

describe('loadConfig', () => {
  it('loads a TypeScript config file and resolves its migrations folder next to it', async () => {
    const config = await loadConfig(join(fixtures, 'chsync.config.ts'), { env: {} })
    expect(Object.keys(config.databases)).toEqual(['default', 'replica'])
    expect(config.registry.get('users').models.map((model) => model.table)).toEqual(['users'])
    expect(config.migrationsDir).toBe(join(fixtures, 'migrations'))
  })

  // jiti compiles the config file: seconds on a loaded machine.
  it("reads the local stack's services.env from $CHSYNC_HOME", { timeout: 30_000 }, async () => {
    const home = mkdtempSync(join(tmpdir(), 'chsync-home-'))
    writeFileSync(join(home, 'services.env'), '# comment\nCHSYNC_REDIS_URL=redis://127.0.0.1:56379\n')
    const config = await loadConfig(join(fixtures, 'chsync.config.ts'), { env: { CHSYNC_HOME: home } })
    // The fixture names no Redis: the stack's stands in (without the file it would be the built-in default).
    expect(config.redis.url).toBe('redis://127.0.0.1:56379')
  })

  it('refuses a model whose version column cannot hold the sequences, naming model and column', async () => {
    const load = loadConfig(join(fixtures, 'narrow-version/chsync.config.ts'), { env: {} })
    await expect(load).rejects.toThrow(ConfigError)
    await expect(load).rejects.toThrow(/model narrow: version column version \(UInt32\) cannot hold/)
  })

  it('names a missing file', async () => {
    await expect(loadConfig(join(fixtures, 'nope.config.ts'))).rejects.toThrow(/nope.config.ts not found/)
  })
})
