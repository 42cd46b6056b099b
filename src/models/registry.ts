import { ConfigError } from '../errors.js'
import { Model, type MultiModel, type SyncUnit } from './model.js'
import { isMultiModel } from './multi-model.js'

/**
 * Every model of a configuration, by import key. Built once at start: duplicate import keys are
 * refused (two models that share a key must be declared as one multi-model), never merged.
 */
export class ModelRegistry {
  readonly #units = new Map<string, SyncUnit>()

  constructor(entries: readonly (Model | MultiModel)[]) {
    for (const entry of entries) {
      if (!isMultiModel(entry) && !Model.is(entry))
        throw new ConfigError('models: every entry must come from defineModel or defineMultiModel')
      const unit: SyncUnit = isMultiModel(entry)
        ? { importKey: entry.importKey, source: entry.source, sync: entry.sync, models: entry.models }
        : { importKey: entry.importKey, source: entry.source, sync: entry.sync, models: [entry] }
      const existing = this.#units.get(unit.importKey)
      if (existing) {
        const tables = [...existing.models, ...unit.models].map((model) => model.table).join(', ')
        throw new ConfigError(
          `duplicate import key ${unit.importKey} (tables ${tables}): declare models that share a source with defineMultiModel`,
          { importKey: unit.importKey },
        )
      }
      this.#units.set(unit.importKey, unit)
    }
  }

  /** What the sync drives: one unit per import key (a model alone is a unit of one). */
  syncUnits(): SyncUnit[] {
    return [...this.#units.values()]
  }

  /** Every model, multi-model members included. */
  models(): Model[] {
    return this.syncUnits().flatMap((unit) => unit.models)
  }

  /** The unit of an import key; throws `ConfigError` naming the key and listing the known ones. */
  get(importKey: string): SyncUnit {
    const unit = this.#units.get(importKey)
    if (!unit) {
      const known = [...this.#units.keys()].sort().join(', ') || 'none'
      throw new ConfigError(`unknown import key ${importKey} (known: ${known})`, { importKey })
    }
    return unit
  }
}
