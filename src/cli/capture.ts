import { Command, Option } from 'commander'
import pg from 'pg'
import { Redis } from 'ioredis'
import { installCapture, relayOutbox, removeCapture } from '../capture/index.js'
import { ConfigError } from '../errors.js'
import { RedisStorage } from '../storages/redis/index.js'

/**
 * `chsync capture install|remove|relay`: the capture triggers of one model, named by explicit flags
 * until models come from the config file (then `chsync capture install <model>` resolves them).
 */
export function captureCommand(): Command {
  const postgresUrl = () =>
    new Option('--postgres-url <url>', 'source database (default: $CHSYNC_POSTGRES_URL)').default(
      process.env.CHSYNC_POSTGRES_URL,
    )
  const outboxSchema = () => new Option('--outbox-schema <schema>', 'schema of the chsync outbox').default('chsync')
  const importKey = () => new Option('--import-key <key>', 'the model’s import key').makeOptionMandatory()

  const capture = new Command('capture').description(
    'capture changes to a source table with PostgreSQL triggers into the chsync outbox',
  )
  capture
    .command('install')
    .description('create (or replace) the capture triggers of a model on its source table')
    .addOption(importKey())
    .requiredOption('--table <table>', 'source table')
    .option('--schema <schema>', 'schema of the source table', 'public')
    .requiredOption('--primary-key <columns>', 'primary-key columns, comma-separated, in key order')
    .addOption(outboxSchema())
    .addOption(postgresUrl())
    .action(
      async (options: {
        importKey: string
        table: string
        schema: string
        primaryKey: string
        outboxSchema: string
        postgresUrl?: string
      }) => {
        await withPool(options.postgresUrl, async (pool) => {
          const primaryKey = options.primaryKey.split(',').map((column) => column.trim())
          const source = { schema: options.schema, table: options.table, primaryKey }
          await installCapture(pool, { importKey: options.importKey, source, outboxSchema: options.outboxSchema })
          console.log(`capture installed for ${options.importKey} on ${options.schema}.${options.table}`)
        })
      },
    )
  capture
    .command('remove')
    .description('drop the capture triggers of a model (operations already captured stay)')
    .addOption(importKey())
    .addOption(outboxSchema())
    .addOption(postgresUrl())
    .action(async (options: { importKey: string; outboxSchema: string; postgresUrl?: string }) => {
      await withPool(options.postgresUrl, async (pool) => {
        await removeCapture(pool, { importKey: options.importKey, outboxSchema: options.outboxSchema })
        console.log(`capture removed for ${options.importKey}`)
      })
    })
  capture
    .command('relay')
    .description('move a model’s captured operations from the outbox into Redis, once')
    .addOption(importKey())
    .addOption(outboxSchema())
    .addOption(postgresUrl())
    .addOption(
      new Option('--redis-url <url>', 'Redis (default: $CHSYNC_REDIS_URL)').default(process.env.CHSYNC_REDIS_URL),
    )
    .option('--redis-prefix <prefix>', 'key prefix of the RedisStorage', 'chsync')
    .action(
      async (options: {
        importKey: string
        outboxSchema: string
        postgresUrl?: string
        redisUrl?: string
        redisPrefix: string
      }) => {
        if (!options.redisUrl) throw new ConfigError('No Redis URL: pass --redis-url or set CHSYNC_REDIS_URL')
        const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 2 })
        try {
          await withPool(options.postgresUrl, async (pool) => {
            const storage = new RedisStorage(redis, { prefix: options.redisPrefix })
            const moved = await relayOutbox(pool, storage, {
              importKey: options.importKey,
              outboxSchema: options.outboxSchema,
            })
            console.log(`relayed ${moved} operations of ${options.importKey}`)
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
