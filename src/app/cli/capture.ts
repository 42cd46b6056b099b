import { Command, Option } from 'commander'
import pg from 'pg'
import { Redis } from 'ioredis'
import { installCapture, relayOutbox, removeCapture } from '../../capture/index.js'
import { loadConfig } from '../../config/load-config.js'
import { ConfigError } from '../../errors.js'
import type { SourceTable } from '../../source/source-table.js'
import { RedisStorage } from '../../storages/redis/index.js'

/** The model a capture command acts on: from the config (`<model>`), or spelled out by flags. */
interface CaptureTarget {
  importKey: string
  source?: SourceTable
  postgresUrl?: string
  /** The config's Redis (url and key prefix), when the model was named from it. */
  redis?: { url: string; prefix: string }
}

async function captureTarget(
  model: string | undefined,
  options: {
    config: string
    importKey?: string
    table?: string
    schema?: string
    primaryKey?: string
    postgresUrl?: string
  },
): Promise<CaptureTarget> {
  if (model) {
    const config = await loadConfig(options.config)
    const unit = config.registry.get(model)
    return { importKey: unit.importKey, source: unit.source, postgresUrl: config.postgres.url, redis: config.redis }
  }
  if (!options.importKey) throw new ConfigError('name a model of the config, or pass --import-key')
  const source =
    options.table && options.primaryKey
      ? {
          schema: options.schema ?? 'public',
          table: options.table,
          primaryKey: options.primaryKey.split(',').map((column) => column.trim()),
        }
      : undefined
  return { importKey: options.importKey, ...(source ? { source } : {}), postgresUrl: options.postgresUrl }
}

/**
 * `chsync capture install|remove|relay [model]`: the capture triggers of one model, taken from the
 * config file, or named by explicit flags (a table outside any config).
 */
export function captureCommand(): Command {
  const postgresUrl = () =>
    new Option('--postgres-url <url>', 'source database (default: $CHSYNC_POSTGRES_URL)').default(
      process.env.CHSYNC_POSTGRES_URL,
    )
  const outboxSchema = () => new Option('--outbox-schema <schema>', 'schema of the chsync outbox').default('chsync')
  const importKey = () => new Option('--import-key <key>', 'the model’s import key (without <model>)')
  const config = () =>
    new Option('-c, --config <file>', 'configuration file (with <model>)').default('chsync.config.ts')

  const capture = new Command('capture').description(
    'capture changes to a source table with PostgreSQL triggers into the chsync outbox',
  )
  capture
    .command('install')
    .description('create (or replace) the capture triggers of a model on its source table')
    .argument('[model]', 'import key of a model in the config')
    .addOption(config())
    .addOption(importKey())
    .option('--table <table>', 'source table (without <model>)')
    .option('--schema <schema>', 'schema of the source table', 'public')
    .option('--primary-key <columns>', 'primary-key columns, comma-separated, in key order (without <model>)')
    .addOption(outboxSchema())
    .addOption(postgresUrl())
    .action(
      async (
        model: string | undefined,
        options: {
          config: string
          importKey?: string
          table?: string
          schema: string
          primaryKey?: string
          outboxSchema: string
          postgresUrl?: string
        },
      ) => {
        const target = await captureTarget(model, options)
        if (!target.source) throw new ConfigError('name a model of the config, or pass --table and --primary-key')
        const source = target.source
        await withPool(target.postgresUrl, async (pool) => {
          await installCapture(pool, { importKey: target.importKey, source, outboxSchema: options.outboxSchema })
          console.log(`capture installed for ${target.importKey} on ${source.schema ?? 'public'}.${source.table}`)
        })
      },
    )
  capture
    .command('remove')
    .description('drop the capture triggers of a model (operations already captured stay)')
    .argument('[model]', 'import key of a model in the config')
    .addOption(config())
    .addOption(importKey())
    .addOption(outboxSchema())
    .addOption(postgresUrl())
    .action(
      async (
        model: string | undefined,
        options: { config: string; importKey?: string; outboxSchema: string; postgresUrl?: string },
      ) => {
        const target = await captureTarget(model, options)
        await withPool(target.postgresUrl, async (pool) => {
          await removeCapture(pool, { importKey: target.importKey, outboxSchema: options.outboxSchema })
          console.log(`capture removed for ${target.importKey}`)
        })
      },
    )
  capture
    .command('relay')
    .description('move a model’s captured operations from the outbox into Redis, once')
    .argument('[model]', 'import key of a model in the config (its PostgreSQL, Redis and redis.prefix)')
    .addOption(config())
    .addOption(importKey())
    .addOption(outboxSchema())
    .addOption(postgresUrl())
    .addOption(
      new Option('--redis-url <url>', 'Redis, without <model> (default: $CHSYNC_REDIS_URL)').default(
        process.env.CHSYNC_REDIS_URL,
      ),
    )
    .option('--redis-prefix <prefix>', 'key prefix of the RedisStorage, without <model>', 'chsync')
    .action(
      async (
        model: string | undefined,
        options: {
          config: string
          importKey?: string
          outboxSchema: string
          postgresUrl?: string
          redisUrl?: string
          redisPrefix: string
        },
      ) => {
        const target = await captureTarget(model, options)
        const { url, prefix } = target.redis ?? { url: options.redisUrl, prefix: options.redisPrefix }
        if (!url)
          throw new ConfigError('No Redis URL: name a model of the config, pass --redis-url or set CHSYNC_REDIS_URL')
        const redis = new Redis(url, { maxRetriesPerRequest: 2 })
        try {
          await withPool(target.postgresUrl, async (pool) => {
            const storage = new RedisStorage(redis, { prefix })
            const moved = await relayOutbox(pool, storage, {
              importKey: target.importKey,
              outboxSchema: options.outboxSchema,
            })
            console.log(`relayed ${moved} operations of ${target.importKey}`)
          })
        } finally {
          redis.disconnect()
        }
      },
    )
  return capture
}

async function withPool(url: string | undefined, work: (pool: pg.Pool) => Promise<void>): Promise<void> {
  if (!url) throw new ConfigError('No PostgreSQL URL: pass --postgres-url or set CHSYNC_POSTGRES_URL')
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  try {
    await work(pool)
  } finally {
    await pool.end()
  }
}
