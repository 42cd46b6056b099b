import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { escapeIdentifier } from 'pg'
import { withCapture } from '../../../src/capture/index.js'
import { encodeKey } from '../../../src/source/keys.js'
import { PostgresStorage } from '../../../src/storages/postgres/index.js'
import { RedisStorage } from '../../../src/storages/redis/index.js'
import type { Storage } from '../../../src/storages/storage.js'
import { postgresPool, redisClient } from '../../utils/clients.js'
import { flushRedisStorage } from '../../utils/flush-redis-storage.js'
import { uniqueName } from '../../utils/names.js'

describe('withCapture', () => {
  const pool = postgresPool()
  const redis = redisClient()
  const table = escapeIdentifier(uniqueName('captured'))
  const outboxSchema = uniqueName('chsync_test')
  const redisStorage = new RedisStorage(redis, { prefix: uniqueName('chsync_test') })
  const storages: { name: string; storage: Storage }[] = [
    { name: 'RedisStorage', storage: redisStorage },
    { name: 'PostgresStorage', storage: new PostgresStorage(pool, { schema: outboxSchema }) },
  ]

  beforeAll(() =>
    pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY, email text UNIQUE DEFERRABLE INITIALLY DEFERRED)`),
  )
  afterAll(async () => {
    await flushRedisStorage(redisStorage)
    await redis.quit()
    await pool.query(`DROP TABLE IF EXISTS ${table}`)
    await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(outboxSchema)} CASCADE`)
    await pool.end()
  })

  async function operations(storage: Storage, importKey: string) {
    const batch = await storage.preSync(importKey, { owner: 'test', batchSize: 100, lockTtlMs: 10_000 })
    if (!batch) return []
    const found = await storage.getOperations(batch)
    await storage.postSync(batch)
    return found.map(({ key, kind }) => [key, kind])
  }

  it.each(storages)(
    'registers the captured keys, coalesced, once the transaction committed ($name)',
    async ({ storage }) => {
      const importKey = uniqueName('users')
      const base = Math.floor(Math.random() * 1e6) * 10
      const result = await withCapture(pool, storage, async (tx, capture) => {
        await tx.query(`INSERT INTO ${table} VALUES ($1), ($2)`, [base, base + 1])
        capture.insert(importKey, [base, base + 1])
        capture.update(importKey, [base])
        capture.delete(importKey, [[base + 2, 'x']])
        return 'done'
      })
      expect(result).toBe('done')
      expect((await operations(storage, importKey)).sort()).toEqual(
        [
          [String(base), 'update'],
          [String(base + 1), 'insert'],
          [encodeKey([base + 2, 'x']), 'delete'],
        ].sort(),
      )
    },
  )

  it.each(storages)('registers nothing when the work throws ($name)', async ({ storage }) => {
    const importKey = uniqueName('users')
    await expect(
      withCapture(pool, storage, (_tx, capture) => {
        capture.insert(importKey, [1])
        return Promise.reject(new Error('app failure'))
      }),
    ).rejects.toThrow('app failure')
    expect(await storage.operationsCount(importKey)).toBe(0)
  })

  it.each(storages)('registers nothing when COMMIT fails ($name)', async ({ storage }) => {
    const importKey = uniqueName('users')
    const base = Math.floor(Math.random() * 1e6) * 10 + 5
    const email = uniqueName('mail')
    await expect(
      withCapture(pool, storage, async (tx, capture) => {
        // The unique check is deferred to COMMIT, which then fails.
        await tx.query(`INSERT INTO ${table} VALUES ($1, $3), ($2, $3)`, [base, base + 1, email])
        capture.insert(importKey, [base, base + 1])
      }),
    ).rejects.toThrow(/duplicate key/)
    expect(await storage.operationsCount(importKey)).toBe(0)
  })
})
