import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import type pg from 'pg'
import type { Storage } from '../../src/storages/storage.js'
import type { ActivityTimeouts } from '../../src/config/temporal-settings.js'
import { chdbReader } from './chdb-reader.js'
import type { RowSource } from './e2e.js'
import { verifySync, type SyncVerdict } from './faults.js'
import { uniqueName } from './names.js'
import { requireEnv } from './services-env.js'

const execFileAsync = promisify(execFile)

/** The users model's fields and engine, as config-file source, per engine. */
const ENGINES = {
  replacing: `fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), is_deleted: uInt8() },
      engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),`,
  collapsing: `fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), sign: int8() },
      engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),`,
}

/**
 * A `chsync.config.ts` in a fresh folder, for tests that run the real `chsync` bin: one
 * users model (ReplacingMergeTree unless told otherwise) on embedded ClickHouse in that folder (owned by whichever chsync
 * process opens it), the local services, and a private task queue.
 */
export function writeUsersConfig(options: {
  sourceTable: string
  importKey: string
  syncDelayMs?: number
  batchSize?: number
  /** Connection overrides, e.g. to point at a service that is down. */
  postgresUrl?: string
  redisUrl?: string
  temporalAddress?: string
  clickhouseUrl?: string
  /**
   * The users model's engine: ReplacingMergeTree(version, is_deleted) needs ClickHouse ≥ 23.2, so a
   * config on the 18.16 server takes CollapsingMergeTree(sign) with a version column. @default 'replacing'
   */
  engine?: 'replacing' | 'collapsing'
  /** Where the model's operations wait: Redis, or the PostgreSQL outbox (PostgresStorage). @default 'redis' */
  storage?: 'redis' | 'postgres'
  /** Rows per insert chunk (sync.chunkRows): small values give a batch several chunks. */
  chunkRows?: number
  /** Shorter activity timeouts, so a killed worker's step is retried in seconds (temporal.activityTimeouts). */
  activityTimeouts?: ActivityTimeouts
  /**
   * Source text appended to the object given to `defineConfig` (a later key wins), to write a bad
   * config: `databses: {}`, `postgres: {}`, `models: [model, model]` (the users model is `model`).
   */
  configExtra?: string
  /** Source text appended to the object given to `defineModel`, e.g. `sync: { batchSize: 'ten' }`. */
  modelExtra?: string
}) {
  const dir = mkdtempSync(join(tmpdir(), 'chsync-config-'))
  const file = join(dir, 'chsync.config.ts')
  const database = uniqueName('chsync_cli')
  const chdbDir = join(dir, 'chdb')
  const temporal = {
    address: options.temporalAddress ?? requireEnv('CHSYNC_TEMPORAL_ADDRESS'),
    namespace: 'default',
    taskQueue: uniqueName('cli'),
    ...(options.activityTimeouts ? { activityTimeouts: options.activityTimeouts } : {}),
  }
  writeFileSync(
    file,
    `import { collapsingMergeTree, defineConfig, defineModel, int32, int8, replacingMergeTree, string, uInt64, uInt8 } from ${JSON.stringify(resolve('dist/src/index.js'))}
const model = defineModel({
  importKey: ${JSON.stringify(options.importKey)},
  table: 'users',
  ${ENGINES[options.engine ?? 'replacing']}
  source: { table: ${JSON.stringify(options.sourceTable)}, primaryKey: ['id'] },
  sync: { batchSize: ${options.batchSize ?? 1000}, syncDelayMs: ${options.syncDelayMs ?? 60_000}${options.chunkRows ? `, chunkRows: ${options.chunkRows}` : ''}${options.storage ? `, storage: ${JSON.stringify(options.storage)}` : ''} },
  ${options.modelExtra ?? ''}
})
export default defineConfig({
  databases: { default: { url: ${JSON.stringify(options.clickhouseUrl ?? `chdb://${chdbDir}`)}, database: ${JSON.stringify(database)} } },
  postgres: { url: ${JSON.stringify(options.postgresUrl ?? requireEnv('CHSYNC_POSTGRES_URL'))} },
  redis: { url: ${JSON.stringify(options.redisUrl ?? requireEnv('CHSYNC_REDIS_URL'))} },
  temporal: ${JSON.stringify(temporal)},
  models: [model],
  ${options.configExtra ?? ''}
})
`,
  )
  // Only the config decides where the services are: the CHSYNC_* variables services.env set for the
  // tests would override its connections, and the CLI would fill the ones it leaves out from
  // $CHSYNC_HOME/services.env (this folder has none).
  const overrides = {
    CHSYNC_HOME: dir,
    CHSYNC_CLICKHOUSE_URL: '',
    CHSYNC_POSTGRES_URL: '',
    CHSYNC_REDIS_URL: '',
    CHSYNC_TEMPORAL_ADDRESS: '',
  }
  const env = { ...process.env, ...overrides }
  /** Runs the built `chsync` bin with this config's environment. */
  const chsync = (...args: string[]) => execFileAsync(process.execPath, ['bin/chsync.js', ...args], { env })
  /**
   * Creates the source table in PostgreSQL and the ClickHouse table the way a user does: `chsync
   * makemigrations`, then `chsync migrate` (which also makes the worker the only opener of chdbDir).
   */
  const prepare = async (pool: pg.Pool) => {
    await pool.query(
      `CREATE TABLE "${options.sourceTable}" (id bigint PRIMARY KEY, name text NOT NULL, score int NOT NULL)`,
    )
    await chsync('makemigrations', '--config', file, '--import-from', resolve('dist/src/index.js'))
    await chsync('migrate', '--config', file)
  }
  /**
   * The fault suite's verdict for this users model: its table read from `ch` (by default the
   * embedded directory, through a child process) compared with the source table.
   */
  const verify = (pool: pg.Pool, storage: Storage, ch: RowSource = chdbReader(chdbDir)): Promise<SyncVerdict> =>
    verifySync({
      pool,
      sourceTable: options.sourceTable,
      ch,
      database,
      table: 'users',
      columns: ['name', 'score'],
      ...(options.engine === 'collapsing'
        ? { engine: 'collapsing' as const, identity: ['version', 'sign'] }
        : { engine: 'replacing' as const }),
      storage,
      importKey: options.importKey,
    })
  return { dir, file, database, chdbDir, temporal, env: overrides, chsync, prepare, verify }
}
