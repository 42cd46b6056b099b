import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { Redis } from 'ioredis'
import { openClickHouse, type ClickHouseDatabase } from '../../src/clickhouse/index.js'
import { requireEnv } from './services-env.js'

/** Clients on the real local services, for integration and e2e tests. Close what you open. */

export function postgresPool(): pg.Pool {
  return new pg.Pool({ connectionString: requireEnv('CHSYNC_POSTGRES_URL'), max: 4 })
}

export function redisClient(): Redis {
  return new Redis(requireEnv('CHSYNC_REDIS_URL'), { lazyConnect: false, maxRetriesPerRequest: 2 })
}

export function clickhouseServer(database = 'default'): ClickHouseDatabase {
  return openClickHouse({ url: requireEnv('CHSYNC_CLICKHOUSE_URL'), database })
}

let embeddedDir: string | undefined

/**
 * Embedded ClickHouse (chDB 26.x) in a data directory private to this test process: one directory
 * per process is all chDB allows, so every call in one file shares it.
 */
export function clickhouseEmbedded(database = 'default'): ClickHouseDatabase {
  embeddedDir ??= mkdtempSync(join(tmpdir(), 'chsync-chdb-'))
  return openClickHouse({ url: `chdb://${embeddedDir}`, database })
}
