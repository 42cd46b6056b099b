import { Redis } from 'ioredis'
import { RedisStorage } from '../src/storages/redis/redis-storage.js'
import { flushRedisStorage } from '../test/utils/flush-redis-storage.js'
import type { Benchmark } from './lib/benchmark.js'
import { requireEnv } from './lib/env.js'
import { peakRss } from './lib/memory.js'
import { scaled } from './lib/options.js'
import { metric } from './lib/result.js'
import { timed } from './lib/stats.js'

/** Keys per call, as an app registering a big transaction (or a backfill) would pass them. */
const CALL = 10_000
/** Keys per command in the raw baseline: what one registration script call carries. */
const COMMAND = 1_000
const PREFIX = 'chsync-bench'

/**
 * 2. Registration throughput: `RedisStorage.registerOperations` (Lua: sequence, coalescing, ZADD +
 * HSET) versus raw pipelined ZADD + HSET of the same keys with the same client, redis-benchmark style.
 */
export const benchmark: Benchmark = {
  name: 'registration',
  description: 'registerOperations ops/s vs raw pipelined ZADD + HSET of the same keys',
  async run(options) {
    const count = scaled(options, 1_000_000, 1000)
    const keys = Array.from({ length: count }, (_, i) => String(i + 1))
    const redis = new Redis(requireEnv('CHSYNC_REDIS_URL'))
    const storage = new RedisStorage(redis, { prefix: PREFIX })
    const importKey = 'bench_registration'
    try {
      await flushRedisStorage(storage)
      const ours = await peakRss(() =>
        timed(async () => {
          for (let start = 0; start < count; start += CALL)
            await storage.registerOperations(importKey, 'insert', keys.slice(start, start + CALL))
        }),
      )
      const registered = await storage.operationsCount(importKey)
      if (registered !== count) throw new Error(`registered ${registered} operations, expected ${count}`)
      await flushRedisStorage(storage)

      const ops = `${PREFIX}:{raw}:ops`
      const kinds = `${PREFIX}:{raw}:kinds`
      const raw = await peakRss(() =>
        timed(async () => {
          for (let start = 0; start < count; start += CALL) {
            const pipeline = redis.pipeline()
            for (let first = start; first < Math.min(start + CALL, count); first += COMMAND) {
              const slice = keys.slice(first, Math.min(first + COMMAND, start + CALL, count))
              pipeline.zadd(ops, ...slice.flatMap((key, i) => [first + i, key]))
              pipeline.hset(kinds, ...slice.flatMap((key) => [key, 'i']))
            }
            await pipeline.exec()
          }
        }),
      )
      await flushRedisStorage(storage)
      const ourRate = count / (ours.value.ms / 1000)
      const rawRate = count / (raw.value.ms / 1000)
      const baseline = 'pipelined ZADD + HSET'
      return {
        metrics: [
          metric('registerOperations', 'ops/s', ourRate, { name: baseline, value: rawRate }, [
            { of: 'ratio', op: '>=', limit: 0.5 },
          ]),
          metric('peak RSS', 'MB', ours.peakMb, { name: baseline, value: raw.peakMb }),
        ],
        details: {
          operations: count,
          keysPerCall: CALL,
          keysPerCommand: COMMAND,
          oursMs: ours.value.ms,
          rawMs: raw.value.ms,
        },
        clickhouse: {},
      }
    } finally {
      await flushRedisStorage(storage)
      redis.disconnect()
    }
  },
}
