import type { ResolvedConfig } from '../config/load-config.js'
import type { DatabaseConfig } from '../config/schema.js'
import { SchemaMismatchError } from '../errors.js'
import type { Model } from '../models/model.js'
import { resolveRouting } from '../routing/resolve.js'
import { checkModel } from './live-table.js'
import { openAlias, openDatabaseName } from './migrate.js'

export interface ModelCheck {
  model: Model
  alias: string
  /** The mismatch, or undefined when the live table matches. */
  error?: SchemaMismatchError
}

/**
 * Checks every model's live table on every alias it reads from or writes to (`chsync check`, and the
 * worker before it starts syncing). Mismatches are returned, not thrown, so one report names them all.
 */
export async function checkModels(config: ResolvedConfig): Promise<ModelCheck[]> {
  const out: ModelCheck[] = []
  for (const model of config.registry.models()) {
    const routing = resolveRouting(model, config)
    for (const alias of new Set([...routing.readAliases, ...routing.writeAliases])) {
      const database = config.databases[alias] as DatabaseConfig
      // Through a client on `default`: a missing database is reported as a missing table, not a crash.
      const admin = openAlias(alias, database, 'default')
      try {
        await checkModel({ ...admin, database: openDatabaseName(database) }, model)
        out.push({ model, alias })
      } catch (error) {
        if (!(error instanceof SchemaMismatchError)) throw error
        out.push({ model, alias, error })
      } finally {
        await admin.client.close()
      }
    }
  }
  return out
}
