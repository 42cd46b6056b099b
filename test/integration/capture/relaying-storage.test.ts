import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { escapeIdentifier } from 'pg'
import { installCapture, relayOutbox, relayingStorage } from '../../../src/capture/index.js'
import { RedisStorage } from '../../../src/storages/redis/index.js'
import { postgresPool, redisClient } from '../../utils/clients.js'
import { flushRedisStorage } from '../../utils/flush-redis-storage.js'
import { uniqueName } from '../../utils/names.js'

describe('relayingStorage', () => {
  const pool = postgresPool()
  const redis = redisClient()
  const outboxSchema = uniqueName('chsync_test')
  const table = uniqueName('relayed')
  const storage = new RedisStorage(redis, { prefix: uniqueName('chsync_test') })
  const importKey = uniqueName('model')

  beforeAll(async () => {
    await pool.query(`CREATE TABLE ${escapeIdentifier(table)} (id int PRIMARY KEY)`)
    await installCapture(pool, { importKey, source: { table, primaryKey: ['id'] }, outboxSchema })
  })
  afterAll(async () => {
    await flushRedisStorage(storage)
    await redis.quit()
    await pool.query(`DROP TABLE IF EXISTS ${escapeIdentifier(table)}`)
    await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(outboxSchema)} CASCADE`)
    await pool.end()
  })

  it('relays captured operations when a round starts, and is the storage otherwise', async () => {
    const relaying = relayingStorage(storage, pool, { outboxSchema })
    await pool.query(`INSERT INTO ${escapeIdentifier(table)} SELECT generate_series(1, 3)`)
    expect(await relaying.operationsCount(importKey)).toBe(0)
    const batch = await relaying.preSync(importKey, { owner: 'wf', batchSize: 10, lockTtlMs: 10_000 })
    if (!batch) throw new Error('expected the captured operations in a batch')
    expect((await relaying.getOperations(batch)).map(({ key, kind }) => [key, kind])).toEqual([
      ['1', 'insert'],
      ['2', 'insert'],
      ['3', 'insert'],
    ])
    expect((await relaying.postSync(batch)).removed).toBe(3)
    expect(relaying.prefix).toBe(storage.prefix)
    expect(await relaying.preSync(importKey, { owner: 'wf', batchSize: 10, lockTtlMs: 10_000 })).toBeNull()
  })

  it('measures the backlog only after a relay already running finished', async () => {
    const relaying = relayingStorage(storage, pool, { outboxSchema })
    await pool.query(`INSERT INTO ${escapeIdentifier(table)} SELECT generate_series(11, 13)`)
    // Another relay of this model (a round's preSync) holds the relay lock.
    const running = await pool.connect()
    const lockName = `chsync-relay:${outboxSchema}:${importKey}`
    await running.query('SELECT pg_advisory_lock(hashtext($1))', [lockName])
    const range = relaying.backlogRange(importKey)
    // It waits for that lock rather than measuring without the captured operations.
    for (;;) {
      const { rows } = await pool.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)
      if (rows.length > 0) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await running.query('SELECT pg_advisory_unlock(hashtext($1))', [lockName])
    running.release()
    expect((await range).count).toBe(3)
  })

  it('relays nothing from a database where capture was never installed', async () => {
    expect(await relayOutbox(pool, storage, { importKey, outboxSchema: uniqueName('nothing_here') })).toBe(0)
  })
})
