import { Redis } from 'ioredis'
import pg from 'pg'
import { ConfigError } from '../errors.js'
import { logger } from '../logger.js'
import { redactUrl } from '../redact.js'
import { namingFailures } from './naming-failures.js'

const log = logger.child({ component: 'redis' })
import { PostgresStorage, type PostgresStorageOptions } from './postgres/postgres-storage.js'
import { RedisStorage, type RedisStorageOptions } from './redis/redis-storage.js'

export const STORAGE_KINDS = ['redis', 'postgres'] as const
export type StorageKind = (typeof STORAGE_KINDS)[number]
export function isStorageKind(value: unknown): value is StorageKind {
  return typeof value === 'string' && (STORAGE_KINDS as readonly string[]).includes(value)
}

/** Where a storage lives, as a config file or the CLI names it. */
export type StorageConfig =
  | ({
      kind: 'redis'
      /** `redis://` or `rediss://` */
      url: string
      /**
       * Reconnection attempts a command waits through while Redis is unreachable before it fails.
       * The default rides out a restart of a few seconds (an app's registration just waits); the
       * worker uses 1, so a step fails within about a second and Temporal's backoff takes over.
       * @default 20 (ioredis's default)
       */
      maxRetriesPerRequest?: number
      /**
       * A connection that has owed a reply this long without sending a byte is taken for dead,
       * dropped and reopened (its pending commands fail). Without it, a connection whose other end
       * vanished without a reset (a failover, a firewall dropping its state) hangs every command
       * on it for good. @default none (ioredis's default)
       */
      socketTimeoutMs?: number
    } & Omit<RedisStorageOptions, 'closeClient'>)
  | ({ kind: 'postgres'; /** `postgres://` or `postgresql://` */ url: string } & Omit<
      PostgresStorageOptions,
      'closeClient'
    >)

const URL_SCHEMES: Record<StorageKind, readonly string[]> = {
  redis: ['redis:', 'rediss:'],
  postgres: ['postgres:', 'postgresql:'],
}

/**
 * A storage on connections of its own, opened from a URL; `close()` ends them. Connections open
 * lazily, on first use. Throws `ConfigError` for an unknown kind or a URL of the wrong scheme.
 */
export function openStorage(config: Extract<StorageConfig, { kind: 'redis' }>): RedisStorage
export function openStorage(config: Extract<StorageConfig, { kind: 'postgres' }>): PostgresStorage
export function openStorage(config: StorageConfig): RedisStorage | PostgresStorage
export function openStorage(config: StorageConfig): RedisStorage | PostgresStorage {
  const kind: unknown = config.kind
  if (!isStorageKind(kind))
    throw new ConfigError(`Unknown storage kind ${String(kind)}: use one of ${STORAGE_KINDS.join(', ')}`)
  let scheme: string
  try {
    scheme = new URL(config.url).protocol
  } catch (error) {
    // Not echoed: an unparseable URL may still carry a password redactUrl cannot find.
    throw new ConfigError(`The ${kind} storage URL is not a URL`, {}, { cause: error })
  }
  if (!URL_SCHEMES[kind].includes(scheme)) {
    throw new ConfigError(
      `A ${kind} storage URL must start with ${URL_SCHEMES[kind].join(' or ')}//, got ${redactUrl(config.url)}`,
    )
  }
  if (config.kind === 'redis') {
    const { url, kind: _kind, maxRetriesPerRequest = 20, socketTimeoutMs, ...options } = config
    const redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest,
      ...(socketTimeoutMs === undefined ? {} : { socketTimeout: socketTimeoutMs }),
    })
    // ioredis reconnects by itself; each failed attempt is an 'error' event, which unheard would be
    // printed as "Unhandled error event". The failing command reports the outage to its caller.
    redis.on('error', (error: Error) => log.debug({ err: error, url: redactUrl(url) }, 'redis connection error'))
    return namingFailures(new RedisStorage(redis, { ...options, closeClient: true }), `Redis at ${redactUrl(url)}`)
  }
  const { url, kind: _kind, ...options } = config
  const pool = new pg.Pool({ connectionString: url })
  // An idle connection the server closes (a restart) is an 'error' event on the pool, which unheard
  // would end the process; the next query opens a new connection.
  pool.on('error', (error: Error) => log.debug({ err: error, url: redactUrl(url) }, 'postgres connection error'))
  return namingFailures(
    new PostgresStorage(pool, { ...options, closeClient: true }),
    `PostgreSQL storage at ${redactUrl(url)}`,
  )
}
