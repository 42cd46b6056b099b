import { ChsyncError, PoisonRowError, messageOf } from '../errors.js'
import type { Model, MultiModel } from '../models/model.js'
import { ModelRegistry } from '../models/registry.js'
import { keyRow } from '../serializers/row.js'
import type { Storage } from '../storages/storage.js'

/**
 * `storage` whose `registerOperations` refuses keys that are not keys of their model: a composite
 * key that is not the JSON array of its columns' text forms, or a value its key column cannot hold
 * (`'abc'` for a UInt64 id). Such a key would only be parked at its round; refused here, the caller
 * learns which key is wrong while it still knows where the key came from. An import key not among
 * `models` is refused too (a typo would register operations no worker ever syncs). Every other
 * method is the storage's own.
 *
 * @example const storage = checkingKeys(openStorage({ kind: 'redis', url }), config.models)
 */
export function checkingKeys<S extends Storage>(storage: S, models: readonly (Model | MultiModel)[]): S {
  const registry = new ModelRegistry(models)
  const registerOperations: Storage['registerOperations'] = async (importKey, kind, keys, ...rest: unknown[]) => {
    const unit = registry.get(importKey)
    for (const key of keys) {
      for (const model of unit.models) {
        try {
          keyRow(model, key)
        } catch (error) {
          if (!(error instanceof PoisonRowError)) throw error
          const columns = unit.source.primaryKey.join(', ')
          throw new ChsyncError(
            `registerOperations(${JSON.stringify(importKey)}, '${kind}'): key ${JSON.stringify(key)} is not a key of ` +
              `${unit.source.table} (${columns}): ${messageOf(error)}. Encode keys with encodeKey([…]) from the ` +
              'primary-key values in that order; nothing of this call was registered',
            {
              importKey,
              model: importKey,
              table: model.table,
              ...(error.context.column ? { column: error.context.column } : {}),
            },
            { cause: error },
          )
        }
      }
    }
    return (storage.registerOperations as (...args: unknown[]) => Promise<number>).call(
      storage,
      importKey,
      kind,
      keys,
      ...rest,
    )
  }
  return new Proxy(storage, {
    get(target, property) {
      if (property === 'registerOperations') return registerOperations
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
