import { afterAll, describe, expect, it } from 'vitest'
import { checkingKeys } from '../../../src/capture/index.js'
import { ChsyncError } from '../../../src/errors.js'
import { defineModel, int32, replacingMergeTree, string, uInt64 } from '../../../src/models/index.js'
import { encodeKey } from '../../../src/source/keys.js'
import { RedisStorage } from '../../../src/storages/redis/index.js'
import { PostgresStorage } from '../../../src/storages/postgres/index.js'
import { postgresPool, redisClient } from '../../utils/clients.js'
import { flushRedisStorage } from '../../utils/flush-redis-storage.js'
import { uniqueName } from '../../utils/names.js'
import { usersModel } from '../../utils/users-model.js'

describe('checkingKeys', () => {
  const redis = redisClient()
  const pool = postgresPool()
  const inner = new RedisStorage(redis, { prefix: uniqueName('chsync_test') })
  const usersKey = uniqueName('users')
  const pairsKey = uniqueName('pairs')
  const users = usersModel({ importKey: usersKey, table: 'users', sourceTable: usersKey })
  const pairs = defineModel({
    importKey: pairsKey,
    table: 'pairs',
    fields: { code: string(), line: int32(), version: uInt64() },
    engine: replacingMergeTree({ orderBy: ['code', 'line'], version: 'version' }),
    source: { table: pairsKey, primaryKey: ['code', 'line'] },
    deletes: 'ignore',
  })
  const storage = checkingKeys(inner, [users, pairs])

  afterAll(async () => {
    await flushRedisStorage(inner)
    await redis.quit()
    await pool.end()
  })

  it('registers keys that fit their model', async () => {
    expect(await storage.registerOperations(usersKey, 'update', ['1', encodeKey([2])])).toBe(2)
    expect(await storage.registerOperations(pairsKey, 'insert', [encodeKey(['a"b', 3])])).toBe(1)
    expect(await storage.operationsCount(usersKey)).toBe(2)
  })

  it.each([
    { name: 'a value the key column cannot hold', model: 'users', key: 'abc', why: /\(id\): .*UInt64/ },
    { name: 'a negative value for a UInt64 key', model: 'users', key: '-1', why: /UInt64/ },
    { name: 'a composite key that is not JSON', model: 'pairs', key: 'a,3', why: /not a JSON array/ },
    { name: 'a composite key with one part', model: 'pairs', key: '["a"]', why: /array of 2 strings/ },
    { name: 'a composite part its column cannot hold', model: 'pairs', key: '["a","x"]', why: /Int32/ },
  ])('refuses $name, naming the key and registering nothing of the call', async ({ model, key, why }) => {
    const importKey = model === 'users' ? usersKey : pairsKey
    const before = await storage.operationsCount(importKey)
    const good = model === 'users' ? '7' : encodeKey(['z', 1])
    const registering = storage.registerOperations(importKey, 'update', [good, key])
    await expect(registering).rejects.toThrow(ChsyncError)
    await expect(registering).rejects.toThrow(`key ${JSON.stringify(key)} is not a key of`)
    await expect(registering).rejects.toThrow(why)
    await expect(registering).rejects.toThrow(/encodeKey/)
    expect(await storage.operationsCount(importKey)).toBe(before)
  })

  it('refuses an import key none of its models has', async () => {
    await expect(storage.registerOperations('userz', 'update', ['1'])).rejects.toThrow(/unknown import key userz/)
  })

  it('keeps the storage what it is (a PostgresStorage stays one for withCapture)', () => {
    const postgres = checkingKeys(new PostgresStorage(pool, { schema: uniqueName('chsync_test') }), [users])
    expect(postgres).toBeInstanceOf(PostgresStorage)
    expect(postgres.pool).toBe(pool)
  })
})
