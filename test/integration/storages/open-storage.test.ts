import { escapeIdentifier } from 'pg'
import { describe, expect, it } from 'vitest'
import { openStorage, type StorageConfig } from '../../../src/storages/open-storage.js'
import { RedisStorage } from '../../../src/storages/redis/index.js'
import { postgresPool } from '../../utils/clients.js'
import { flushRedisStorage } from '../../utils/flush-redis-storage.js'
import { uniqueName } from '../../utils/names.js'
import { requireEnv } from '../../utils/services-env.js'

describe('openStorage', () => {
  it.each([
    {
      name: 'redis',
      config: (): StorageConfig => ({
        kind: 'redis',
        url: requireEnv('CHSYNC_REDIS_URL'),
        prefix: uniqueName('chsync_test'),
      }),
    },
    {
      name: 'postgres',
      config: (): StorageConfig => ({
        kind: 'postgres',
        url: requireEnv('CHSYNC_POSTGRES_URL'),
        schema: uniqueName('chsync_test'),
      }),
    },
  ])('opens a $name storage on connections it closes itself', async ({ config }) => {
    const storage = openStorage(config())
    const importKey = uniqueName('model')
    try {
      await storage.registerOperations(importKey, 'insert', ['1', '2'])
      expect(await storage.operationsCount(importKey)).toBe(2)
    } finally {
      if ('schema' in storage) {
        const pool = postgresPool()
        await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(storage.schema)} CASCADE`)
        await pool.end()
      } else if (storage instanceof RedisStorage) {
        await flushRedisStorage(storage)
      }
      await storage.close()
    }
  })
})
