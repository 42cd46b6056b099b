import type { Client } from '@temporalio/client'
import { loadConfig } from '../../config/load-config.js'
import { openStorage } from '../../storages/open-storage.js'
import type { Storage } from '../../storages/storage.js'
import { reach } from '../../reach.js'
import { redisRefusal } from '../../storages/redis/refusal.js'
import { connectClient } from '../temporal/connect.js'
import type { CliContext } from './context.js'
import type { WithContext } from './sync-commands.js'

/** A `CliContext` over a config file: Temporal and the storages are connected on first use. */
export async function openCliContext(configPath: string): Promise<CliContext> {
  const config = await loadConfig(configPath)
  let client: Promise<Client> | undefined
  const storages = new Map<string, Promise<Storage>>()
  const closers: (() => Promise<unknown>)[] = []
  return {
    temporal: config.temporal,
    units: config.registry.syncUnits().map((unit) => ({ importKey: unit.importKey, enabled: unit.sync.enabled })),
    client: () => (client ??= connectClient(config.temporal)),
    storage(importKey) {
      const kind = config.registry.get(importKey).sync.storage
      let storage = storages.get(kind)
      if (!storage) {
        if (kind === 'redis') {
          const redis = openStorage({ kind, url: config.redis.url, prefix: config.redis.prefix })
          // ioredis would queue the first command through minutes of reconnects, then fail without
          // naming the service; a command says at once which service is down, and where.
          storage = reach('Redis', config.redis.url, () => redis.redis.ping(), redisRefusal(config.redis.prefix)).then(
            () => redis,
          )
          storages.set(kind, storage)
          closers.push(() => redis.close())
        } else {
          const outbox = openStorage({ kind, url: config.postgres.url })
          storage = Promise.resolve(outbox)
          storages.set(kind, storage)
          closers.push(() => outbox.close())
        }
      }
      return storage
    },
    async close() {
      await Promise.allSettled(closers.map((close) => close()))
      if (client) await (await client).connection.close()
    },
  }
}

export const withConfigContext: WithContext = async (configPath, run) => {
  const context = await openCliContext(configPath)
  try {
    await run(context)
  } finally {
    await context.close()
  }
}
