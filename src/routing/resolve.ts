import { ConfigError } from '../errors.js'
import { replicationOf } from '../models/engines/replicated.js'
import type { Model, Routing } from '../models/model.js'
import type { DatabaseConfig, RouterConfig } from '../config/schema.js'
import type { ResolvedRouting } from './router.js'

const ROUTING_KEYS = ['readAliases', 'writeAliases', 'migrateReplicatedAliases', 'migrateNonReplicatedAliases'] as const

/** What routing needs from the config. */
export interface RoutingConfig {
  databases: Record<string, DatabaseConfig>
  router: RouterConfig
}

/** `default` when configured, else the first alias: where a model goes when nothing says otherwise. */
function fallbackAliases(databases: Record<string, DatabaseConfig>): string[] {
  const aliases = Object.keys(databases)
  return 'default' in databases ? ['default'] : aliases.slice(0, 1)
}

/**
 * The aliases a model reads from, writes to and migrates on. Precedence, per list: the router
 * function's answer, then the model's own `routing`, then the config's `router.defaults`, then the
 * `default` alias. Every alias must exist, and no write alias may be `readonly` (ConfigError naming
 * the model and alias).
 */
export function resolveRouting(model: Model, config: RoutingConfig): ResolvedRouting {
  const routed: Routing = config.router.route?.(model) ?? {}
  const fallback = fallbackAliases(config.databases)
  const resolved = Object.fromEntries(
    ROUTING_KEYS.map((key) => [key, routed[key] ?? model.routing[key] ?? config.router.defaults?.[key] ?? fallback]),
  ) as ResolvedRouting
  for (const key of ROUTING_KEYS) {
    for (const alias of resolved[key]) {
      if (!(alias in config.databases))
        throw new ConfigError(
          `model ${model.importKey}: ${key} names database alias ${alias}, which is not configured (known: ${Object.keys(config.databases).join(', ')})`,
          { model: model.importKey, table: model.table },
        )
    }
  }
  for (const alias of resolved.writeAliases) {
    if (config.databases[alias]?.readonly)
      throw new ConfigError(`model ${model.importKey}: write alias ${alias} is readonly`, {
        model: model.importKey,
        table: model.table,
      })
  }
  return resolved
}

/** Every alias a batch of this model is inserted into. */
export function writeAliases(model: Model, config: RoutingConfig): readonly string[] {
  return resolveRouting(model, config).writeAliases
}

/** The alias ClickHouse state is read from (collapsing deletes, checks): the first read alias. */
export function readAlias(model: Model, config: RoutingConfig): string {
  return resolveRouting(model, config).readAliases[0] as string
}

/**
 * The aliases a model's migrations run on. A replicated table replicates its DDL through the keeper, so
 * it is migrated once per alias group — aliases sharing a `cluster` are one group, an alias without a
 * cluster is its own — while a non-replicated table is migrated on every alias. Readonly aliases and
 * aliases with `migrate: false` are skipped.
 */
export function migrateAliases(model: Model, config: RoutingConfig): string[] {
  const routing = resolveRouting(model, config)
  const usable = (alias: string) => {
    const database = config.databases[alias]
    return database !== undefined && !database.readonly && database.migrate !== false
  }
  if (replicationOf(model.engine) === undefined) return routing.migrateNonReplicatedAliases.filter(usable)
  const groups = new Set<string>()
  const out: string[] = []
  for (const alias of routing.migrateReplicatedAliases.filter(usable)) {
    const group = config.databases[alias]?.cluster ?? `alias:${alias}`
    if (groups.has(group)) continue
    groups.add(group)
    out.push(alias)
  }
  return out
}
