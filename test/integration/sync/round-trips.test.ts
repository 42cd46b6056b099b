import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MockActivityEnvironment } from '@temporalio/testing'
import type pg from 'pg'
import { createSyncActivities } from '../../../activities/sync.js'
import { quoteIdentifier, type ClickHouseDatabase } from '../../../src/clickhouse/index.js'
import { parseConfig } from '../../../src/config/load-config.js'
import type { RedisStorage } from '../../../src/storages/redis/redis-storage.js'
import type { Claim } from '../../../src/storages/storage.js'
import { openSyncRuntime } from '../../../src/sync/open-runtime.js'
import * as steps from '../../../src/sync/steps.js'
import type { SyncRuntime } from '../../../src/sync/runtime.js'
import type { PreSyncResult } from '../../../src/sync/types.js'
import { clickhouseEmbedded, clickhouseServer, postgresPool } from '../../utils/clients.js'
import { createTables } from '../../utils/e2e.js'
import { uniqueName } from '../../utils/names.js'
import { RoundTripCounter } from '../../utils/round-trips.js'
import { requireEnv } from '../../utils/services-env.js'
import { usersModel, usersSourceDDL } from '../../utils/users-model.js'

/**
 * Round trips of one round of one chunk, counted as the clients send them (test/utils/round-trips.ts):
 * preSync → syncBatch → postSync through the activities, on a fresh claim. A change that reads back
 * what the same attempt wrote, or asks the storage again for what a script already returned, adds
 * trips and fails here. The outbox relay of a Redis model and the source fetch are counted apart:
 * they are not the storage's. Bounds per storage, then per target: a server without deduplication
 * tokens stages insert progress after each chunk and fences older attempts (src/sync/steps.ts).
 */
const STORAGES = ['redis', 'postgres'] as const

describe.each([
  { target: 'embedded ClickHouse 26.x', open: clickhouseEmbedded, tokens: true },
  { target: 'ClickHouse server 18.16', open: clickhouseServer, tokens: false },
])('one round on $target', ({ open, tokens }) => {
  const database = uniqueName('chsync_trips')
  const ch: ClickHouseDatabase = open()
  const models = Object.fromEntries(
    STORAGES.map((storage) => {
      const importKey = uniqueName(`trips_${storage}`)
      return [
        storage,
        usersModel({ importKey, table: `trips_${storage}`, sourceTable: importKey, isDeleted: tokens, storage }),
      ]
    }),
  ) as Record<(typeof STORAGES)[number], ReturnType<typeof usersModel>>
  const counter = new RoundTripCounter()
  let pool: pg.Pool
  let runtime: SyncRuntime
  let storageKind: (typeof STORAGES)[number] = 'redis'

  beforeAll(async () => {
    pool = postgresPool()
    for (const model of Object.values(models)) await pool.query(usersSourceDDL(model.source.table))
    await createTables(ch, database, Object.values(models))
    const url = ch.displayUrl.slice(0, ch.displayUrl.lastIndexOf('/'))
    const config = parseConfig(
      {
        databases: { default: { url, database } },
        postgres: { url: requireEnv('CHSYNC_POSTGRES_URL') },
        redis: { url: requireEnv('CHSYNC_REDIS_URL') },
        temporal: { address: requireEnv('CHSYNC_TEMPORAL_ADDRESS'), taskQueue: uniqueName('trips') },
        models: Object.values(models),
      },
      { env: {} },
    )
    runtime = await openSyncRuntime(config)
    counter.watchRedis((runtime.unit(models.redis.importKey).storage as RedisStorage).redis)
    const sources = Object.values(models).map((model) => model.source.table)
    // A Redis model's storage never queries PostgreSQL: there, every statement but the source fetch is the relay's.
    counter.watchPostgres((sql) =>
      sources.some((table) => sql.includes(table)) ? 'source' : storageKind === 'redis' ? 'relay' : 'storage',
    )
  })

  afterAll(async () => {
    counter.restore()
    await runtime?.close()
    for (const model of Object.values(models)) await pool?.query(`DROP TABLE IF EXISTS "${model.source.table}"`)
    await pool?.end()
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await ch.client.close()
  })

  /** Writes 5 rows from `from` on and registers them. */
  async function change(storage: (typeof STORAGES)[number], from: number): Promise<void> {
    const model = models[storage]
    const sql = `INSERT INTO "${model.source.table}" SELECT g, 'user ' || g, g FROM generate_series($1::int, $1::int + 4) g`
    await pool.query(sql, [from])
    const keys = [0, 1, 2, 3, 4].map((offset) => String(from + offset))
    await runtime.unit(model.importKey).storage.registerOperations(model.importKey, 'insert', keys)
  }

  /** Registers 5 changed rows and runs one whole round through the activities, as a worker does. */
  async function round(storage: (typeof STORAGES)[number], from: number): Promise<void> {
    const model = models[storage]
    await change(storage, from)
    const activities = createSyncActivities({ runtime })
    const env = new MockActivityEnvironment()
    storageKind = storage
    counter.reset()
    counter.counting = true
    try {
      const pre = await env.run<[], PreSyncResult, () => Promise<PreSyncResult>>(() =>
        activities.preSync(model.importKey, 'trips-test'),
      )
      const claim = pre.claim as Claim
      expect(claim).toMatchObject({ size: 5, resumed: false })
      expect(pre.backlog).toBe(5)
      expect(await env.run(() => activities.syncBatch(claim))).toMatchObject({ rows: 5, reused: false })
      expect(await env.run(() => activities.postSync(claim))).toMatchObject({ removed: 5, backlog: 0 })
    } finally {
      counter.counting = false
    }
  }

  it.each([
    { storage: 'redis' as const, bound: tokens ? 7 : 10 },
    { storage: 'postgres' as const, bound: tokens ? 13 : 16 },
  ])('takes at most $bound storage round trips on $storage', async ({ storage, bound }) => {
    // The first round loads the scripts and opens the connections; the second is what every round costs.
    await round(storage, 1)
    await round(storage, 100)
    const service = storage === 'redis' ? 'redis' : 'postgres'
    const report = {
      storage: counter.list(service, 'storage'),
      relay: counter.list('postgres', 'relay'),
      source: counter.list('postgres', 'source'),
    }
    const counts = Object.entries(report).map(([owner, trips]) => `${owner} ${trips.length}`)
    console.log(`round trips, ${storage} storage, tokens ${String(tokens)}: ${counts.join(', ')}`)
    expect(report.storage.length, report.storage.join('\n')).toBeLessThanOrEqual(bound)
  })

  it.each(STORAGES)('a retried attempt on %s resends the payload its predecessor froze', async (storage) => {
    const model = models[storage]
    await change(storage, 200)
    const activities = createSyncActivities({ runtime })
    const pre = await new MockActivityEnvironment().run<[], PreSyncResult, () => Promise<PreSyncResult>>(() =>
      activities.preSync(model.importKey, 'trips-test'),
    )
    const claim = pre.claim as Claim
    // Attempt 1 froze the payload and died before its first insert; attempt 2 must send those bytes.
    await steps.fetchAndSerialize(runtime, claim, undefined, false)
    const retry = new MockActivityEnvironment({ attempt: 2 })
    expect(await retry.run(() => activities.syncBatch(claim))).toMatchObject({ fetched: 0, rows: 5, reused: true })
    expect(await retry.run(() => activities.postSync(claim))).toMatchObject({ removed: 5 })
  })
})
