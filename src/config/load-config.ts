import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { createJiti } from 'jiti'
import type { z } from 'zod'
import { ConfigError, messageOf } from '../errors.js'
import { ModelRegistry } from '../models/registry.js'
import { redactSecrets, redactUrl } from '../redact.js'
import { resolveRouting } from '../routing/resolve.js'
import { configSchema, type DatabaseConfig, type RouterConfig } from './schema.js'
import type { TemporalSettings } from './temporal-settings.js'
import { readServicesEnv } from './services-env.js'

/** The default ClickHouse target when a config names none: embedded, under the project's .chsync/. */
export const DEFAULT_DATABASES: Record<string, DatabaseConfig> = {
  default: { url: 'chdb://.chsync/chdb', database: 'default' },
}

/** Environment variables that override connection settings (12-factor deployments, CI). */
export const CONFIG_ENV = {
  postgres: 'CHSYNC_POSTGRES_URL',
  redis: 'CHSYNC_REDIS_URL',
  clickhouse: 'CHSYNC_CLICKHOUSE_URL',
  temporal: 'CHSYNC_TEMPORAL_ADDRESS',
} as const

/** A validated configuration with every default filled in. */
export interface ResolvedConfig {
  databases: Record<string, DatabaseConfig>
  postgres: { url: string }
  redis: { url: string; prefix: string }
  temporal: TemporalSettings
  registry: ModelRegistry
  router: RouterConfig
  /** Absolute path of the migrations folder. */
  migrationsDir: string
}

function issueText(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.') || '(root)'
  switch (issue.code) {
    case 'invalid_type':
      return `${path}: expected ${issue.expected}`
    case 'unrecognized_keys':
      return `${path === '(root)' ? '' : `${path}.`}${issue.keys.join(', ')}: unknown key`
    default:
      return `${path}: ${issue.message}`
  }
}

/**
 * Applies the environment overrides to a raw config object (before validation); `stack` (the local
 * service stack's services.env) fills in only the connections the config leaves out.
 */
function withEnv(raw: unknown, env: NodeJS.ProcessEnv, stack: NodeJS.Dict<string>): unknown {
  if (typeof raw !== 'object' || raw === null) return raw
  const config = { ...(raw as Record<string, unknown>) }
  const section = (name: string) => ({ ...(config[name] as Record<string, unknown> | undefined) })
  const fill = (name: string, key: string, value: string | undefined) => {
    if (value && section(name)[key] === undefined) config[name] = { ...section(name), [key]: value }
  }
  fill('postgres', 'url', stack[CONFIG_ENV.postgres])
  fill('redis', 'url', stack[CONFIG_ENV.redis])
  fill('temporal', 'address', stack[CONFIG_ENV.temporal])
  if (env[CONFIG_ENV.postgres]) config.postgres = { ...section('postgres'), url: env[CONFIG_ENV.postgres] }
  if (env[CONFIG_ENV.redis]) config.redis = { ...section('redis'), url: env[CONFIG_ENV.redis] }
  if (env[CONFIG_ENV.temporal]) config.temporal = { ...section('temporal'), address: env[CONFIG_ENV.temporal] }
  const clickhouse = env[CONFIG_ENV.clickhouse]
  if (clickhouse) {
    const databases = section('databases') as Record<string, Record<string, unknown>>
    databases.default = { database: 'default', ...databases.default, url: clickhouse }
    config.databases = databases
  }
  return config
}

/**
 * Validates a config object (what `chsync.config.ts` exports), applies environment overrides and
 * fills defaults. Throws one `ConfigError` listing every bad key by path, secrets redacted.
 */
export function parseConfig(
  raw: unknown,
  options: {
    env?: NodeJS.ProcessEnv
    baseDir?: string
    /**
     * KEY=value settings of the local service stack (services.env): CHSYNC_POSTGRES_URL,
     * CHSYNC_REDIS_URL and CHSYNC_TEMPORAL_ADDRESS stand in for connections the config leaves out;
     * the config and real variables win. @default none
     */
    stack?: NodeJS.Dict<string>
  } = {},
): ResolvedConfig {
  const env = options.env ?? process.env
  const result = configSchema.safeParse(withEnv(raw, env, options.stack ?? {}))
  if (!result.success) {
    const lines = result.error.issues.map(issueText)
    throw new ConfigError(`invalid config: ${lines.join('; ')}`)
  }
  const config = result.data
  const databases = config.databases && Object.keys(config.databases).length ? config.databases : DEFAULT_DATABASES
  const secrets = Object.values(databases).map((database) => database.password)
  try {
    const resolved: ResolvedConfig = {
      databases,
      postgres: config.postgres,
      redis: { url: config.redis?.url ?? 'redis://127.0.0.1:6379', prefix: config.redis?.prefix ?? 'chsync' },
      temporal: {
        address: config.temporal?.address ?? '127.0.0.1:7233',
        namespace: config.temporal?.namespace ?? 'default',
        taskQueue: config.temporal?.taskQueue ?? 'chsync',
        ...(config.temporal?.activityTimeouts ? { activityTimeouts: config.temporal.activityTimeouts } : {}),
      },
      registry: new ModelRegistry(config.models),
      router: config.router ?? {},
      migrationsDir: resolve(options.baseDir ?? process.cwd(), config.migrationsDir ?? 'migrations'),
    }
    // Fail at start on a route to an alias that does not exist (or a write to a readonly one).
    for (const model of resolved.registry.models()) resolveRouting(model, resolved)
    return resolved
  } catch (error) {
    if (error instanceof ConfigError) throw error
    throw new ConfigError(`invalid config: ${redactSecrets(messageOf(error), secrets)}`, {}, { cause: error })
  }
}

/**
 * Loads `chsync.config.ts` (or .js/.mjs) at run time — TypeScript included, through jiti — and
 * validates it with `parseConfig`. The migrations folder resolves relative to the config file.
 * Connections the config leaves out come from the local stack's services.env when there is one
 * (`$CHSYNC_HOME/services.env`, else `./.chsync/services.env`): never over what the config or a
 * CHSYNC_* variable says, and never ClickHouse (a config without `databases` stays embedded).
 */
export async function loadConfig(
  file = 'chsync.config.ts',
  options: { env?: NodeJS.ProcessEnv } = {},
): Promise<ResolvedConfig> {
  const path = resolve(file)
  if (!existsSync(path)) throw new ConfigError(`config file ${path} not found (pass --config FILE)`)
  let raw: unknown
  try {
    raw = await createJiti(import.meta.url, { moduleCache: false }).import(path, { default: true })
  } catch (error) {
    throw new ConfigError(`cannot load config ${path}: ${redactUrl(messageOf(error))}`, {}, { cause: error })
  }
  const env = options.env ?? process.env
  return parseConfig(raw, { env, baseDir: dirname(path), stack: readServicesEnv(env) })
}
