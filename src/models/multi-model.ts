import { ConfigError } from '../errors.js'
import { DEFAULT_SYNC_SETTINGS, type Model, type MultiModel, type SourceTable, type SyncSettings } from './model.js'

function sameSource(a: Model['source'], b: Model['source']): boolean {
  return (
    a.schema === b.schema &&
    a.table === b.table &&
    a.where === b.where &&
    a.primaryKey.length === b.primaryKey.length &&
    a.primaryKey.every((column, index) => column === b.primaryKey[index])
  )
}

/**
 * Several models fed from one source table under one import key (the original's ClickHouseMultiModel):
 * each round fetches the rows once and inserts one batch per model. Every model must name the same
 * import key and source; the multi-model's sync settings drive the round.
 *
 * @example defineMultiModel({ importKey: 'users', source: usersSource, models: [users, userEmails] })
 */
export function defineMultiModel(config: {
  importKey: string
  source: SourceTable
  sync?: Partial<SyncSettings>
  models: readonly Model[]
}): MultiModel {
  const source = { schema: 'public', ...config.source }
  if (config.models.length === 0) throw new ConfigError(`multi-model ${config.importKey}: needs at least one model`)
  const tables = new Set<string>()
  for (const model of config.models) {
    const context = { importKey: config.importKey, model: model.importKey, table: model.table }
    if (model.importKey !== config.importKey)
      throw new ConfigError(
        `multi-model ${config.importKey}: model of table ${model.table} has import key ${model.importKey}`,
        context,
      )
    if (!sameSource(model.source, source))
      throw new ConfigError(
        `multi-model ${config.importKey}: model of table ${model.table} reads another source than ${source.schema}.${source.table}`,
        context,
      )
    if (tables.has(model.table))
      throw new ConfigError(`multi-model ${config.importKey}: table ${model.table} appears twice`, context)
    tables.add(model.table)
  }
  return {
    kind: 'multiModel',
    importKey: config.importKey,
    source,
    sync: { ...DEFAULT_SYNC_SETTINGS, ...config.sync },
    models: config.models,
  }
}

export function isMultiModel(value: unknown): value is MultiModel {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'multiModel'
}
