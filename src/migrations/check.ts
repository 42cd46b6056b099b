import pg from 'pg'
import type { ResolvedConfig } from '../config/load-config.js'
import type { DatabaseConfig } from '../config/schema.js'
import { ConfigError, SchemaMismatchError, type ChsyncError } from '../errors.js'
import { reach } from '../reach.js'
import { describeSourceTable } from '../source/describe.js'
import { postgresRefusal } from '../source/refusal.js'
import type { Model } from '../models/model.js'
import { resolveRouting } from '../routing/resolve.js'
import { deduplicationGap } from './deduplication.js'
import { checkModel } from './live-table.js'
import { openAlias, openDatabaseName } from '../clickhouse/open-alias.js'

export interface ModelCheck {
  model: Model
  /** The ClickHouse alias checked, or `postgres` for the model's source table. */
  alias: string
  /** The mismatch (a missing source table or key column is a `ConfigError`), or undefined when it fits. */
  error?: ChsyncError
  /** Why the live table would not deduplicate a retried chunk (`deduplicationGap`), when it fits otherwise. */
  deduplication?: string
}

/**
 * Checks every model's source table in PostgreSQL (it exists, with its primary-key columns) and its
 * live table on every alias it reads from or writes to (`chsync check`, and the worker before it
 * starts syncing), including whether a table chsync writes will deduplicate a retried chunk.
 * Mismatches are returned, not thrown, so one report names them all.
 */
export async function checkModels(config: ResolvedConfig): Promise<ModelCheck[]> {
  const out: ModelCheck[] = await checkSources(config)
  for (const model of config.registry.models()) {
    const routing = resolveRouting(model, config)
    for (const alias of new Set([...routing.readAliases, ...routing.writeAliases])) {
      const database = config.databases[alias] as DatabaseConfig
      // Through a client on `default`: a missing database is reported as a missing table, not a crash.
      const admin = openAlias(database, 'default')
      try {
        const live = { ...admin, database: openDatabaseName(database) }
        await checkModel(live, model)
        const deduplication = routing.writeAliases.includes(alias)
          ? await deduplicationGap(live, model.table)
          : undefined
        out.push({ model, alias, ...(deduplication ? { deduplication } : {}) })
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

async function checkSources(config: ResolvedConfig): Promise<ModelCheck[]> {
  const out: ModelCheck[] = []
  const pool = new pg.Pool({ connectionString: config.postgres.url, max: 1 })
  try {
    await reach('PostgreSQL', config.postgres.url, () => pool.query('SELECT 1'), postgresRefusal)
    for (const model of config.registry.models()) {
      try {
        await describeSourceTable(pool, model.source)
        out.push({ model, alias: 'postgres' })
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error
        out.push({ model, alias: 'postgres', error })
      }
    }
  } finally {
    await pool.end()
  }
  return out
}
