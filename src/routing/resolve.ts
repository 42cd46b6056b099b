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
 * The aliases a migration operation on this model runs on (reference/motivation.md): an operation that
 * replicates itself — an ALTER of a Replicated table — runs once per alias group of
 * `migrateReplicatedAliases` (aliases sharing a `cluster` are one group; an alias without one is its
 * own); every other operation — CREATE and DROP, which never replicate, and anything on a
 * non-replicated table — runs on every alias of `migrateNonReplicatedAliases`. Readonly aliases and
 * aliases with `migrate: false` are skipped.
 * @param operation `'alter'` for an operation that replicates when the table does. @default 'create'
 */
export function migrateAliases(
  model: Model,
  config: RoutingConfig,
  operation: 'create' | 'drop' | 'alter' = 'create',
): string[] {
  const routing = resolveRouting(model, config)
  const usable = (alias: string) => {
    const database = config.databases[alias]
    return database !== undefined && !database.readonly && database.migrate !== false
  }
  const replicates = operation === 'alter' && replicationOf(model.engine) !== undefined
  if (!replicates) return routing.migrateNonReplicatedAliases.filter(usable)
  return onePerGroup(routing.migrateReplicatedAliases.filter(usable), config.databases)
}

/** The first alias of each group (aliases sharing a `cluster`; an alias without one is its own group). */
export function onePerGroup(aliases: readonly string[], databases: Record<string, DatabaseConfig>): string[] {
  const groups = new Set<string>()
  return aliases.filter((alias) => {
    const group = databases[alias]?.cluster ?? `alias:${alias}`
    if (groups.has(group)) return false
    groups.add(group)
    return true
  })
}
