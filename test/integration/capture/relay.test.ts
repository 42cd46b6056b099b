import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { escapeIdentifier } from 'pg'
import { installCapture, relayOutbox } from '../../../src/capture/index.js'
import { StorageError } from '../../../src/errors.js'
import { RedisStorage } from '../../../src/storages/redis/index.js'
import { redisModelKeys } from '../../../src/storages/redis/redis-keys.js'
import type { OperationKind } from '../../../src/storages/storage.js'
import { postgresPool, redisClient } from '../../utils/clients.js'
import { flushRedisStorage } from '../../utils/flush-redis-storage.js'
import { uniqueName } from '../../utils/names.js'

describe('relayOutbox', () => {
  const pool = postgresPool()
  const redis = redisClient()
  const outboxSchema = uniqueName('chsync_test')
  const sourceSchema = uniqueName('source')
  const s = escapeIdentifier(sourceSchema)
  const storage = new RedisStorage(redis, { prefix: uniqueName('chsync_test') })

  async function capturedTable(name: string) {
    await pool.query(`CREATE TABLE ${s}.${escapeIdentifier(name)} (id int PRIMARY KEY, v text)`)
    const importKey = uniqueName(name)
    await installCapture(pool, {
      importKey,
      source: { schema: sourceSchema, table: name, primaryKey: ['id'] },
      outboxSchema,
    })
    return importKey
  }

  async function outboxCount(importKey: string, which: 'all' | 'unrelayed' = 'all'): Promise<number> {
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${escapeIdentifier(outboxSchema)}.operations
        WHERE import_key = $1 AND ($2 OR relayed IS NULL)`,
      [importKey, which === 'all'],
    )
    return rows[0]?.n ?? 0
  }

  async function redisOperations(importKey: string): Promise<[string, OperationKind][]> {
    const batch = await storage.preSync(importKey, { owner: 'test', batchSize: 100_000, lockTtlMs: 10_000 })
    if (!batch) return []
    const operations = await storage.getOperations(batch)
    await storage.postSyncFailed(batch, new Error('only looking'))
    return operations
      .map(({ key, kind }) => [key, kind] as [string, OperationKind])
      .sort(([a], [b]) => Number(a) - Number(b))
  }

  /** A round that synced everything waiting (as far as the storage knows). */
  async function syncAll(importKey: string): Promise<void> {
    const batch = await storage.preSync(importKey, { owner: 'test', batchSize: 100_000, lockTtlMs: 10_000 })
    if (batch) await storage.postSync(batch)
  }

  /** What a crash of the Redis server after the last fsync does: the model's state back to `snapshot`. */
  async function restore(importKey: string, snapshot: Map<string, Buffer>): Promise<void> {
    const keys = Object.values<string>(redisModelKeys(storage.prefix, importKey))
    await redis.del(...keys)
    for (const [key, dump] of snapshot) await redis.restore(key, 0, dump)
  }

  async function snapshot(importKey: string): Promise<Map<string, Buffer>> {
    const dumps = new Map<string, Buffer>()
    for (const key of Object.values<string>(redisModelKeys(storage.prefix, importKey))) {
      const dump = await redis.dumpBuffer(key)
      if (dump) dumps.set(key, dump)
    }
    return dumps
  }

  beforeAll(() => pool.query(`CREATE SCHEMA ${s}`))
  afterAll(async () => {
    await flushRedisStorage(storage)
    await redis.quit()
    await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`)
    await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(outboxSchema)} CASCADE`)
    await pool.end()
  })

  it('moves captured operations into Redis in batches, and deletes them once Redis shows them synced', async () => {
    const importKey = await capturedTable('moved')
    await pool.query(`INSERT INTO ${s}.moved SELECT i, 'v' FROM generate_series(1, 2500) i`)
    await pool.query(`UPDATE ${s}.moved SET v = 'w' WHERE id <= 10`)
    await pool.query(`DELETE FROM ${s}.moved WHERE id > 2490`)
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema, batchSize: 1000 })).toBe(2500)
    expect(await outboxCount(importKey, 'unrelayed')).toBe(0)
    const operations = await redisOperations(importKey)
    expect(operations).toHaveLength(2500)
    expect(operations[0]).toEqual(['1', 'update'])
    expect(operations[10]).toEqual(['11', 'insert'])
    expect(operations[2499]).toEqual(['2500', 'delete'])
    // Relayed but not yet synced: the rows stay, and nothing moves twice.
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema })).toBe(0)
    expect(await outboxCount(importKey)).toBe(2500)
    await syncAll(importKey)
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema })).toBe(0)
    expect(await outboxCount(importKey)).toBe(0)
  })

  it('relays again what a crash of the Redis server lost after acknowledging it', async () => {
    const importKey = await capturedTable('lost')
    await pool.query(`INSERT INTO ${s}.lost SELECT i, 'v' FROM generate_series(1, 20) i`)
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema })).toBe(20)
    const persisted = await snapshot(importKey)
    await pool.query(`UPDATE ${s}.lost SET v = 'w' WHERE id <= 5`)
    await pool.query(`INSERT INTO ${s}.lost SELECT i, 'v' FROM generate_series(21, 30) i`)
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema })).toBe(15)
    // Redis acknowledged that relay, then died before it reached the disk.
    await restore(importKey, persisted)
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema })).toBe(15)
    const operations = await redisOperations(importKey)
    expect(operations).toHaveLength(30)
    expect(operations.filter(([, kind]) => kind === 'update').map(([key]) => key)).toEqual(['1', '2', '3', '4', '5'])
    // A Redis that lost everything (a new server): every row not yet deleted goes again.
    await restore(importKey, new Map())
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema })).toBe(30)
    expect(await redisOperations(importKey)).toHaveLength(30)
  })

  it('keeps a synced row whose sync Redis lost, until Redis shows it synced again', async () => {
    const importKey = await capturedTable('resynced')
    await pool.query(`INSERT INTO ${s}.resynced SELECT i, 'v' FROM generate_series(1, 10) i`)
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema })).toBe(10)
    const persisted = await snapshot(importKey)
    await syncAll(importKey)
    // The round's postSync is lost with a crash: the operations wait in Redis again, so their rows stay.
    await restore(importKey, persisted)
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema })).toBe(0)
    expect(await outboxCount(importKey)).toBe(10)
    await syncAll(importKey)
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema })).toBe(0)
    expect(await outboxCount(importKey)).toBe(0)
  })

  it('loses nothing when the process dies after COMMIT, before or during the relay', async () => {
    const importKey = await capturedTable('crashing')
    await pool.query(`INSERT INTO ${s}.crashing SELECT i, 'v' FROM generate_series(1, 30) i`)
    // The relay dies after Redis acknowledged the operations, before the outbox rows are marked.
    const dying = Object.create(storage) as RedisStorage
    dying.registerRelayed = async (key, operations) => {
      await storage.registerRelayed(key, operations)
      throw new Error('killed')
    }
    await pool.query(`DELETE FROM ${s}.crashing WHERE id > 20`)
    await expect(relayOutbox(pool, dying, { importKey, outboxSchema })).rejects.toThrow(StorageError)
    expect(await outboxCount(importKey, 'unrelayed')).toBe(30)
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema })).toBe(30)
    expect(await outboxCount(importKey, 'unrelayed')).toBe(0)
    const operations = await redisOperations(importKey)
    expect(operations).toHaveLength(30)
    expect(operations.filter(([, kind]) => kind === 'delete')).toHaveLength(10)
  })

  it('keeps a row captured again while the relay was moving it', async () => {
    const importKey = await capturedTable('busy')
    await pool.query(`INSERT INTO ${s}.busy SELECT i, 'v' FROM generate_series(1, 5) i`)
    const meddling = Object.create(storage) as RedisStorage
    meddling.registerRelayed = async (key, operations) => {
      const mark = await storage.registerRelayed(key, operations)
      // Between Redis' acknowledgement and the outbox's mark, the app deletes row 3.
      await pool.query(`DELETE FROM ${s}.busy WHERE id = 3`)
      return mark
    }
    expect(await relayOutbox(pool, meddling, { importKey, outboxSchema })).toBe(5)
    expect(await outboxCount(importKey, 'unrelayed')).toBe(1)
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema })).toBe(1)
    expect((await redisOperations(importKey)).find(([key]) => key === '3')).toEqual(['3', 'delete'])
  })

  it('lets one relay per model run at a time', async () => {
    const importKey = await capturedTable('single')
    await pool.query(`INSERT INTO ${s}.single SELECT i FROM generate_series(1, 10) i`)
    const results = await Promise.all([1, 2, 3].map(() => relayOutbox(pool, storage, { importKey, outboxSchema })))
    expect(results.reduce((sum, moved) => sum + moved, 0)).toBe(10)
    expect(await storage.operationsCount(importKey)).toBe(10)
  })
})
