import type { Client } from '@temporalio/client'
import { loadConfig } from '../config/load-config.js'
import { openStorage } from '../storages/open-storage.js'
import type { Storage } from '../storages/storage.js'
import { connectClient } from '../temporal/connect.js'
import type { CliContext } from './context.js'
import type { WithContext } from './sync-commands.js'

/** A `CliContext` over a config file: Temporal and the storages are connected on first use. */
export async function openCliContext(configPath: string): Promise<CliContext> {
  const config = await loadConfig(configPath)
  let client: Promise<Client> | undefined
  const storages = new Map<string, Storage>()
  return {
    temporal: config.temporal,
    units: config.registry.syncUnits().map((unit) => ({ importKey: unit.importKey, enabled: unit.sync.enabled })),
    client: () => (client ??= connectClient(config.temporal)),
    storage(importKey) {
      const kind = config.registry.get(importKey).sync.storage
      let storage = storages.get(kind)
      if (!storage) {
        storage =
          kind === 'redis'
            ? openStorage({ kind, url: config.redis.url })
            : openStorage({ kind, url: config.postgres.url })
        storages.set(kind, storage)
      }
      return Promise.resolve(storage)
    },
    async close() {
      await Promise.allSettled([...storages.values()].map((storage) => storage.close()))
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
