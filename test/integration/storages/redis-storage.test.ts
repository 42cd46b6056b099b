import { afterAll, describe, expect, it } from 'vitest'
import { RedisStorage } from '../../../src/storages/redis/index.js'
import { redisModelKeys } from '../../../src/storages/redis/redis-keys.js'
import { redisClient } from '../../utils/clients.js'
import { flushRedisStorage } from '../../utils/flush-redis-storage.js'
import { uniqueName } from '../../utils/names.js'
import { describeStorageContract } from './storage-contract.js'

describeStorageContract('RedisStorage', () => {
  const redis = redisClient()
  // A prefix of its own: flushRedisStorage then only drops this run's keys on the shared Redis.
  const prefix = uniqueName('chsync_test')
  const storage = new RedisStorage(redis, { prefix })
  return {
    storage,
    connect: () => {
      const own = redisClient()
      return { storage: new RedisStorage(own, { prefix }), close: async () => void (await own.quit()) }
    },
    expireLock: async (importKey) => {
      await redis.del(redisModelKeys(prefix, importKey).lock)
    },
    close: async () => {
      await flushRedisStorage(storage)
      await redis.quit()
    },
  }
})

describe('RedisStorage', () => {
  const redis = redisClient()
  const prefix = uniqueName('chsync_test')
  const events: string[] = []
  const storage = new RedisStorage(redis, {
    prefix,
    metrics: {
      registered: (importKey, count) => events.push(`registered ${count}`),
      removed: (importKey, count) => events.push(`removed ${count}`),
      backlog: (importKey, { size, oldestAgeMs }) =>
        events.push(`backlog ${size} ${oldestAgeMs === null ? 'none' : 'aged'}`),
    },
  })
  afterAll(async () => {
    await flushRedisStorage(storage)
    expect(await redis.keys(`${prefix}:*`)).toEqual([])
    await redis.quit()
  })

  it('reports registrations, removals and the backlog to its metrics hooks', async () => {
    const importKey = uniqueName('model')
    await storage.registerOperations(importKey, 'insert', ['1', '2', '3'])
    const backlog = await storage.backlog(importKey)
    expect(backlog.size).toBe(3)
    expect(backlog.oldestAgeMs).toBeGreaterThanOrEqual(0)
    expect(backlog.oldestAgeMs).toBeLessThan(60_000)
    const batch = await storage.preSync(importKey, { owner: 'a', batchSize: 2, lockTtlMs: 10_000 })
    if (!batch) throw new Error('expected a batch')
    await storage.postSync(batch)
    expect(events).toEqual(['registered 3', 'removed 2', 'backlog 1 aged'])
    expect(await storage.backlog(uniqueName('empty'))).toEqual({ size: 0, oldestAgeMs: null })
  })

  it('keeps every key of a model in one cluster slot', () => {
    const keys = Object.values<string>(redisModelKeys(prefix, 'a}b{c'))
    const tags = new Set(keys.map((key) => /\{([^}]*)\}/.exec(key)?.[1]))
    expect(tags).toEqual(new Set(['a%7Db%7Bc']))
  })
})
