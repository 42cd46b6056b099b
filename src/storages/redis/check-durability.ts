import type { Cluster, Redis } from 'ioredis'

/**
 * What in a Redis server's configuration can lose operations RedisStorage acknowledged, one
 * sentence each (empty when nothing): an evicting memory policy, no persistence, an append-only
 * file not fsynced on every write. The worker logs
 * these at start. A server that refuses CONFIG (managed services often do) yields a note saying the
 * check could not run, not an error.
 */
export async function checkRedisDurability(redis: Redis | Cluster): Promise<string[]> {
  let config: Record<string, string>
  try {
    const reply = (await redis.call('CONFIG', 'GET', '*')) as string[]
    config = {}
    for (let index = 0; index + 1 < reply.length; index += 2)
      config[reply[index] as string] = reply[index + 1] as string
  } catch (error) {
    return [
      `could not read the Redis configuration (${error instanceof Error ? error.message : String(error)}); check durability by hand`,
    ]
  }
  const warnings: string[] = []
  const policy = config['maxmemory-policy']
  if (policy && policy !== 'noeviction') {
    warnings.push(`maxmemory-policy is ${policy}: Redis may evict waiting operations; use noeviction`)
  }
  if (config.appendonly !== 'yes' && !config.save) {
    warnings.push('neither an append-only file nor snapshots: a Redis restart loses every waiting operation')
  } else if (config.appendonly !== 'yes') {
    warnings.push('no append-only file: a Redis restart loses the operations registered since the last snapshot')
  } else if (config.appendfsync && config.appendfsync !== 'always') {
    // A clean restart (SHUTDOWN) fsyncs the file and loses nothing; a crash of the server or its
    // machine loses what was acknowledged but not yet fsynced. Trigger capture is exempt: the relay
    // keeps the outbox rows until Redis shows them synced, and re-relays what Redis lost.
    warnings.push(
      `appendfsync is ${config.appendfsync}: a crash of the Redis server (not a clean restart) can lose the ` +
        'operations registered by the library API in its last second; use appendfsync always, capture ' +
        'triggers, or PostgresStorage',
    )
  }
  return warnings
}
