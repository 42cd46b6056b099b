import type { Readable } from 'node:stream'
import pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import {
  missingCapabilities,
  openAlias,
  probeCapabilities,
  type ClickHouseCapabilities,
  type ClickHouseDatabase,
} from '../clickhouse/index.js'
import { clickHouseRefusal, describeClickHouseError } from '../clickhouse/errors.js'
import type { ResolvedConfig } from '../config/load-config.js'
import { ChsyncError, messageOf } from '../errors.js'
import type { Model, SyncUnit } from '../models/model.js'
import { reach } from '../reach.js'
import { redactUrl } from '../redact.js'
import { readAlias, writeAliases } from '../routing/resolve.js'
import { needsCurrentState, readCurrentState, serializeUnitBatch } from '../serializers/index.js'
import { renderPath, type RenderPath } from '../serializers/sql/render-path.js'
import { describeSourceTable } from '../source/describe.js'
import { fetchRowsIsolatingBadKeys } from '../source/fetch-isolating.js'
import { postgresRefusal } from '../source/refusal.js'
import { displayName } from '../source/source-table.js'
import { sourceTypeParsers } from '../source/type-parsers.js'
import type { StorageMetrics } from '../storages/metrics.js'
import { openStorage } from '../storages/open-storage.js'
import { checkRedisDurability } from '../storages/redis/check-durability.js'
import { redisRefusal } from '../storages/redis/refusal.js'
import { relayingStorage } from '../capture/relaying-storage.js'
import type { Storage } from '../storages/storage.js'
import { replayIdentityOf } from './landed.js'
import { CHUNK_MAX_BYTES } from './payload.js'
import type { ModelRuntime, SyncRuntime, SyncUnitRuntime } from './runtime.js'

/** An open ClickHouse alias and what its server can do. */
interface OpenAlias {
  database: ClickHouseDatabase
  capabilities: ClickHouseCapabilities
}

/** How long the worker's Redis connection may owe a reply in silence before it is reopened. */
const REDIS_SOCKET_TIMEOUT_MS = 10_000

/**
 * Opens everything the sync of a configuration needs — the PostgreSQL pool, the storages, every
 * ClickHouse alias with its probed capabilities — and resolves each sync unit (routing, serializer,
 * fetch) once. Fails fast, naming the service and address, when one cannot be reached; a model whose
 * table does not fit is not a start-up failure (its workflow blocks with the reason, others go on).
 */
export async function openSyncRuntime(
  config: ResolvedConfig,
  options: {
    metrics?: StorageMetrics
    poolSize?: number
    /** Told what could lose data without failing the start (a Redis that may evict operations). */
    warn?: (message: string) => void
    /** Payload chunk limits of every unit (tests force several chunks per batch). @default each unit's sync.chunkRows, CHUNK_MAX_BYTES */
    chunkLimits?: { rows: number; bytes: number }
  } = {},
): Promise<SyncRuntime> {
  const closers: (() => Promise<unknown>)[] = []
  try {
    const pool = new pg.Pool({
      connectionString: config.postgres.url,
      max: options.poolSize ?? 10,
      types: sourceTypeParsers,
    })
    closers.push(() => pool.end())
    // A restart of PostgreSQL closes the pool's idle connections: an 'error' event on the pool, which
    // unheard would kill the worker. The next query opens a new connection; a failing one says so.
    pool.on('error', (error) => options.warn?.(`PostgreSQL at ${redactUrl(config.postgres.url)}: ${messageOf(error)}`))
    await reach('PostgreSQL', config.postgres.url, () => pool.query('SELECT 1'), postgresRefusal)

    const kinds = new Set(config.registry.syncUnits().map((unit) => unit.sync.storage))
    const storages = new Map<string, Storage>()
    if (kinds.has('redis')) {
      // While Redis is unreachable a step fails after one reconnection attempt instead of waiting in
      // ioredis's queue through 20 (past the step's timeout), and a connection silent for 10 s while
      // it owes a reply is reopened instead of hanging for good (no script of a step takes that
      // long): the round fails visibly, and Temporal's backoff retries it.
      const redis = openStorage({
        kind: 'redis',
        url: config.redis.url,
        prefix: config.redis.prefix,
        metrics: options.metrics ?? {},
        maxRetriesPerRequest: 1,
        socketTimeoutMs: REDIS_SOCKET_TIMEOUT_MS,
      })
      closers.push(() => redis.close())
      await reach('Redis', config.redis.url, () => redis.redis.ping(), redisRefusal(config.redis.prefix))
      for (const warning of await checkRedisDurability(redis.redis)) options.warn?.(warning)
      // Trigger-captured changes wait in the PostgreSQL outbox; each round relays them first.
      storages.set('redis', relayingStorage(redis, pool))
    }
    if (kinds.has('postgres')) {
      const outbox = openStorage({ kind: 'postgres', url: config.postgres.url, metrics: options.metrics ?? {} })
      closers.push(() => outbox.close())
      storages.set('postgres', outbox)
    }

    const aliases = new Map<string, OpenAlias>()
    for (const [alias, settings] of Object.entries(config.databases)) {
      const database = openAlias(settings)
      closers.push(() => database.client.close())
      const capabilities = await reach(
        `ClickHouse (alias ${alias})`,
        settings.url,
        () => probeCapabilities(database),
        clickHouseRefusal(alias, database.database),
      )
      const missing = missingCapabilities(capabilities)
      if (missing.length > 0) {
        options.warn?.(
          `ClickHouse alias ${alias} (${capabilities.version}) lacks ${missing.join(', ')}: chsync turns these off ` +
            'there, and replayed chunks are absorbed by the engine instead of deduplicated (README, Sync)',
        )
      }
      aliases.set(alias, { database, capabilities })
    }
    const alias = (name: string) => aliases.get(name) as OpenAlias

    const modelRuntime = (model: Model): ModelRuntime => {
      const readFrom = readAlias(model, config)
      const read = alias(readFrom)
      return {
        name: model.table,
        needsCurrentState: needsCurrentState(model),
        replayIdentity: replayIdentityOf(model),
        readCurrentState: (keys) =>
          readCurrentState(read.database, model, keys, { queryParameters: read.capabilities.queryParameters }).catch(
            (error: unknown) => {
              throw describeClickHouseError(
                error,
                `read the ClickHouse state of ${model.table} from ${readFrom}`,
                { model: model.table, importKey: model.importKey, table: model.table, right: 'SELECT' },
                read.database.displayUrl,
              )
            },
          ),
        targets: writeAliases(model, config).map((name) => ({ alias: name, table: model.table, ...alias(name) })),
      }
    }
    const unitRuntime = (unit: SyncUnit): SyncUnitRuntime => {
      let path: Promise<RenderPath> | undefined
      return {
        importKey: unit.importKey,
        definition: unit,
        batchSize: unit.sync.batchSize,
        syncDelayMs: unit.sync.syncDelayMs,
        lockTtlMs: unit.sync.lockTimeoutMs,
        storage: storages.get(unit.sync.storage) as Storage,
        fetchRows: (keys) =>
          fetchRowsIsolatingBadKeys(pool, unit.source, keys).catch((error: unknown) => {
            if (error instanceof ChsyncError) throw error
            const where = `PostgreSQL at ${redactUrl(config.postgres.url)}`
            throw new ChsyncError(
              `${where}: fetching rows of ${displayName(unit.source)} failed: ${messageOf(error)}`,
              {
                importKey: unit.importKey,
                table: displayName(unit.source),
              },
              { cause: error },
            )
          }),
        models: unit.models.map(modelRuntime),
        chunkLimits: options.chunkLimits ?? { rows: unit.sync.chunkRows, bytes: CHUNK_MAX_BYTES },
        renderPath() {
          path ??= unitRenderPath(pool, unit).then((decided) => {
            // A source table not there yet is decided again next round, once it is.
            if (decided.path === 'js' && decided.retry) path = undefined
            return decided
          })
          return path
        },
        copyOut: (sql) => copyOut(pool, sql),
        sourceDisplay: `PostgreSQL at ${redactUrl(config.postgres.url)}`,
        serialize(operations, rows, currentState) {
          const result = serializeUnitBatch(unit, { operations, rows, currentState })
          const index = new Map(operations.map((operation, i) => [operation, i]))
          return {
            models: result.batches.map((batch) => ({
              model: batch.model.table,
              rows: batch.rows,
              opIndex: batch.opIndex,
            })),
            poison: result.poison.map(({ operation, error }) => ({ index: index.get(operation) ?? -1, error })),
          }
        },
      }
    }
    const units = new Map(config.registry.syncUnits().map((unit) => [unit.importKey, unitRuntime(unit)]))

    return {
      unit(importKey) {
        return units.get(importKey) ?? unitRuntime(config.registry.get(importKey))
      },
      importKeys: () => [...units.keys()],
      sourcePool: pool,
      close: () => closeAll(closers),
    }
  } catch (error) {
    await closeAll(closers)
    throw error
  }
}

/** The unit's render path; `retry` when the source table could not be described (decide again later). */
async function unitRenderPath(pool: pg.Pool, unit: SyncUnit): Promise<RenderPath & { retry?: boolean }> {
  const [model] = unit.models
  if (!model || unit.models.length > 1) return { path: 'js', reason: 'a model of a multi-model' }
  try {
    return renderPath(model, await describeSourceTable(pool, unit.source))
  } catch (error) {
    return { path: 'js', reason: `source table not described: ${messageOf(error)}`, retry: true }
  }
}

/** `COPY … TO STDOUT` on a pooled client, released when the stream ends, fails or is destroyed. */
async function copyOut(pool: pg.Pool, sql: string): Promise<Readable> {
  const client = await pool.connect()
  let released = false
  const release = (error?: Error) => {
    if (released) return
    released = true
    client.release(error)
  }
  try {
    const stream = client.query(copyTo(sql))
    let ended = false
    stream.once('end', () => {
      ended = true
      release()
    })
    stream.once('error', (error: Error) => release(error))
    // Destroyed before its end (the reader failed): the connection is mid-COPY, so it is discarded.
    stream.once('close', () => release(ended ? undefined : new Error('COPY was not read to its end')))
    return stream
  } catch (error) {
    release(error as Error)
    throw error
  }
}

async function closeAll(closers: (() => Promise<unknown>)[]): Promise<void> {
  await Promise.allSettled(closers.reverse().map((close) => close()))
}
