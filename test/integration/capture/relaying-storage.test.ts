import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { escapeIdentifier } from 'pg'
import type pg from 'pg'
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

  /** `pool`, counting the statements sent to PostgreSQL through it (on the pool or a client it lent). */
  function countingPool(): { pool: pg.Pool; count: () => number } {
    let count = 0
    const counted = <T extends object>(target: T): T =>
      new Proxy(target, {
        get(object, property) {
          const value: unknown = Reflect.get(object, property, object)
          if (property === 'query')
            return (...args: unknown[]) => {
              count++
              return (value as (...a: unknown[]) => unknown).apply(object, args)
            }
          if (property === 'connect')
            return async () => counted(await (value as () => Promise<pg.PoolClient>).call(object))
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(object) : value
        },
      })
    return { pool: counted(pool), count: () => count }
  }

  const claimOptions = { owner: 'wf', batchSize: 10, lockTtlMs: 10_000 }

  it('costs a round of a model without capture no PostgreSQL round trip, once it looked', async () => {
    const uncaptured = uniqueName('uncaptured')
    const counting = countingPool()
    const relaying = relayingStorage(storage, counting.pool, { outboxSchema })
    expect(await relaying.preSync(uncaptured, claimOptions)).toBeNull()
    // No capture function, then no outbox row: two statements, once per captureCheckMs.
    expect(counting.count()).toBe(2)
    for (let round = 0; round < 3; round++) expect(await relaying.preSync(uncaptured, claimOptions)).toBeNull()
    expect(counting.count()).toBe(2)
  })

  it('costs a round of a captured model three PostgreSQL round trips when nothing waits', async () => {
    const counting = countingPool()
    const relaying = relayingStorage(storage, counting.pool, { outboxSchema })
    await relaying.preSync(importKey, claimOptions).then((batch) => batch && relaying.postSync(batch))
    await relaying.preSync(importKey, claimOptions).then((batch) => batch && relaying.postSync(batch))
    const before = counting.count()
    expect(await relaying.preSync(importKey, claimOptions)).toBeNull()
    // The relay lock, one read (reset lost rows, unrelayed rows, rows to delete), the unlock.
    expect(counting.count() - before).toBe(3)
  })

  it('puts an operation captured after the "no capture" finding into the next flush mark', async () => {
    const late = uniqueName('late')
    const lateTable = uniqueName('late')
    await pool.query(`CREATE TABLE ${escapeIdentifier(lateTable)} (id int PRIMARY KEY)`)
    try {
      const relaying = relayingStorage(storage, pool, { outboxSchema, captureCheckMs: 3_600_000 })
      expect(await relaying.preSync(late, claimOptions)).toBeNull()
      await installCapture(pool, { importKey: late, source: { table: lateTable, primaryKey: ['id'] }, outboxSchema })
      await pool.query(`INSERT INTO ${escapeIdentifier(lateTable)} SELECT generate_series(1, 4)`)
      // Rounds trust the finding for captureCheckMs (the operations wait in the outbox meanwhile)…
      expect(await relaying.preSync(late, claimOptions)).toBeNull()
      // …a flush looks again.
      expect((await relaying.backlogRange(late)).count).toBe(4)
      expect((await relaying.preSync(late, claimOptions))?.size).toBe(4)
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${escapeIdentifier(lateTable)}`)
    }
  })
})
