import type pg from 'pg'
import { StorageError, messageOf } from '../errors.js'
import type { RedisStorage } from '../storages/redis/redis-storage.js'
import type { Storage } from '../storages/storage.js'
import { relayOutbox, type RelayOptions } from './relay.js'
import { relayNeeded } from './triggers.js'

export interface RelayingOptions extends Omit<RelayOptions, 'importKey' | 'wait'> {
  /**
   * How long a round trusts the last finding that a model has no capture (no capture function, no
   * outbox rows) and skips the relay, which then costs no PostgreSQL round trip. A capture installed
   * meanwhile waits in the outbox at most this long before a round relays it; a flush always
   * looks again. @default 10000
   */
  captureCheckMs?: number
}

/**
 * `storage` (a RedisStorage) that first moves the model's trigger-captured operations out of the
 * PostgreSQL outbox whenever a round starts (`preSync`) or the backlog is measured (`backlogRange`,
 * which a flush takes its mark from): the sync loop needs no relay of its own, a round never claims
 * a batch while captured changes wait in the outbox, and a flush waits for them too. A model without
 * capture is looked at once per `captureCheckMs`, not relayed every round. Every other method is
 * the storage's own, whatever the Storage interface grows.
 */
export function relayingStorage<S extends RedisStorage>(storage: S, pool: pg.Pool, options: RelayingOptions = {}): S {
  const { captureCheckMs = 10_000, ...relayOptions } = options
  /** Import key → the last finding whether it needs relaying, and when. */
  const found = new Map<string, { needed: boolean; at: number }>()
  /** Whether to relay: the finding of the last `captureCheckMs`, or a new one (`fresh`: unless capture was found). */
  const needsRelay = async (importKey: string, fresh: boolean): Promise<boolean> => {
    const last = found.get(importKey)
    if (last && (last.needed || !fresh) && Date.now() - last.at < captureCheckMs) return last.needed
    const needed = await relayNeeded(pool, { importKey, outboxSchema: relayOptions.outboxSchema }).catch(
      (error: unknown) => {
        throw new StorageError(
          `Looking for captured operations of ${importKey} in the PostgreSQL outbox failed: ${messageOf(error)}`,
          { importKey },
          { cause: error },
        )
      },
    )
    found.set(importKey, { needed, at: Date.now() })
    return needed
  }
  const preSync: Storage['preSync'] = async (importKey, claimOptions) => {
    if (await needsRelay(importKey, false)) await relayOutbox(pool, storage, { ...relayOptions, importKey })
    return storage.preSync(importKey, claimOptions)
  }
  const backlogRange: Storage['backlogRange'] = async (importKey) => {
    // Looks again when it last found no capture: an operation captured before the flush must be in
    // its mark. Waits for a relay a round is running: skipping it would leave operations captured
    // before the flush out of its mark (they would get their Redis sequences after it), and the
    // flush would end early.
    if (await needsRelay(importKey, true)) await relayOutbox(pool, storage, { ...relayOptions, importKey, wait: true })
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
