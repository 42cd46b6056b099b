import { Cluster } from 'ioredis'
import type { RedisStorage } from '../../src/storages/redis/redis-storage.js'

/**
 * Deletes every key under a RedisStorage's prefix, on every master of a cluster: a test's (or a
 * bench's) clean slate. Production code has no such call: it would drop every model's operations.
 */
export async function flushRedisStorage(storage: RedisStorage): Promise<void> {
  const nodes = storage.redis instanceof Cluster ? storage.redis.nodes('master') : [storage.redis]
  for (const node of nodes) {
    let cursor = '0'
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${storage.prefix}:*`, 'COUNT', 1000)
      cursor = next
      // One key per UNLINK: on a cluster node, keys of one call must share a slot.
      if (found.length > 0) await Promise.all(found.map((key) => node.unlink(key)))
    } while (cursor !== '0')
  }
}
