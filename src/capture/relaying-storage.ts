import type pg from 'pg'
import type { RedisStorage } from '../storages/redis/redis-storage.js'
import type { Storage } from '../storages/storage.js'
import { relayOutbox, type RelayOptions } from './relay.js'

/**
 * `storage` (a RedisStorage) that first moves the model's trigger-captured operations out of
 * the PostgreSQL outbox whenever a round starts (`preSync`) or the backlog is measured
 * (`backlogRange`, which a flush takes its mark from): the sync loop needs no relay of its own, a
 * round never claims a batch while captured changes wait in the outbox, and a flush waits for them
 * too. Every other method is the storage's own, whatever the Storage interface grows.
 */
export function relayingStorage<S extends RedisStorage>(
  storage: S,
  pool: pg.Pool,
  options: Omit<RelayOptions, 'importKey'> = {},
): S {
  const preSync: Storage['preSync'] = async (importKey, claimOptions) => {
    await relayOutbox(pool, storage, { ...options, importKey })
    return storage.preSync(importKey, claimOptions)
  }
  const backlogRange: Storage['backlogRange'] = async (importKey) => {
    // Waits for a relay a round is running: skipping it would leave operations captured before the
    // flush out of its mark (they would get their Redis sequences after it), and the flush would end early.
    await relayOutbox(pool, storage, { ...options, importKey, wait: true })
    return storage.backlogRange(importKey)
  }
  return new Proxy(storage, {
    get(target, property) {
      if (property === 'preSync') return preSync
      if (property === 'backlogRange') return backlogRange
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
