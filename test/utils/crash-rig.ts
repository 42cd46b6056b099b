import type { Client } from '@temporalio/client'
import type pg from 'pg'
import { expect } from 'vitest'
import type { CrashPoint } from '../../src/sync/fault-points.js'
import { openClickHouse, qualifiedTable, quoteIdentifier, type ClickHouseDatabase } from '../../src/clickhouse/index.js'
import { openStorage } from '../../src/storages/open-storage.js'
import type { RedisStorage } from '../../src/storages/redis/redis-storage.js'
import type { OperationKind } from '../../src/storages/storage.js'
import { connectClient } from '../../src/app/temporal/connect.js'
import { startSync, type SyncWorkflowHandle } from '../../src/app/temporal/sync-workflows.js'
import { flushUpdate, stopSignal } from '../../workflows/messages.js'
import { postgresPool } from './clients.js'
import { writeUsersConfig } from './config-file.js'
import { type SyncVerdict } from './faults.js'
import { uniqueName } from './names.js'
import { requireEnv } from './services-env.js'
import { WorkerProcess } from './worker-process.js'
import { WriteLoad } from './write-load.js'

/**
 * Timeouts of the crash scenarios: a killed worker's step is retried after ~10 s instead of 30 s.
 * Generous for a starved CI machine (heartbeats go out every ~3 s), short enough to keep files lean.
 */
export const CRASH_TEST_TIMEOUTS = { heartbeatMs: 10_000, bookkeepingMs: 10_000 }

/**
 * The shared steps of the crash-point scenarios: one users model on embedded ClickHouse, one sync
 * workflow, and a round in which a worker started with CHSYNC_CRASH_AT kills itself at the point
 * and a healthy worker takes over. Call `setUp`/`tearDown` from beforeAll/afterAll.
 */
export class CrashRig {
  readonly table = uniqueName('crash')
  readonly importKey = uniqueName('crash')
  readonly config: ReturnType<typeof writeUsersConfig>
  readonly healthy: WorkerProcess
  pool!: pg.Pool
  storage!: RedisStorage
  private client: Client | undefined
  private handle: SyncWorkflowHandle | undefined

  /**
   * The ClickHouse 18.16 server (shared stack, own database, merges of the table stopped) instead of
   * embedded ClickHouse.
   */
  readonly server: ClickHouseDatabase | undefined

  constructor(options: { batchSize?: number; chunkRows?: number; server?: boolean } = {}) {
    const { server, ...sync } = options
    const url = server ? requireEnv('CHSYNC_CLICKHOUSE_URL') : undefined
    this.config = writeUsersConfig({
      sourceTable: this.table,
      importKey: this.importKey,
      syncDelayMs: 500,
      activityTimeouts: CRASH_TEST_TIMEOUTS,
      // 18.16 has no ReplacingMergeTree(version, is_deleted).
      ...(url ? { clickhouseUrl: url, engine: 'collapsing' as const } : {}),
      ...sync,
    })
    this.server = url ? openClickHouse({ url, database: this.config.database }) : undefined
    this.healthy = new WorkerProcess(['--config', this.config.file], this.config.env)
  }

  async setUp(): Promise<void> {
    this.pool = postgresPool()
    await this.config.prepare(this.pool)
    this.storage = openStorage({ kind: 'redis', url: requireEnv('CHSYNC_REDIS_URL') })
    this.client = await connectClient(this.config.temporal)
    this.handle = await startSync(this.client, this.config.temporal, this.importKey)
    // Merges would fold doubled rows away before the verdict counts them.
    await this.server?.client.command({ query: `SYSTEM STOP MERGES ${qualifiedTable(this.config.database, 'users')}` })
  }

  async tearDown(): Promise<void> {
    if (this.handle) {
      await this.healthy.start()
      await this.handle.signal(stopSignal)
      await this.handle.result()
    }
    await this.healthy.stop()
    for (const worker of this.others) {
      // A frozen worker ignores SIGTERM until it runs again.
      worker.wake()
      await worker.stop()
    }
    await this.client?.connection.close()
    await this.storage?.close()
    await this.pool?.query(`DROP TABLE IF EXISTS "${this.table}"`)
    await this.pool?.end()
    await this.server?.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(this.config.database)}` })
    await this.server?.client.close()
  }

  /** Far above the ids WriteLoad inserts (from 1 up), so both can write to the table. */
  private next = 1_000_000_000

  /** Inserts `count` rows, updates a quarter and deletes a seventh as many older ones, registering each change. */
  async changeSome(count = 20): Promise<void> {
    const change = async (sql: string, kind: OperationKind, values: unknown[]) => {
      const { rows } = await this.pool.query<{ id: string }>(`${sql} RETURNING id::text AS id`, values)
      await this.storage.registerOperations(
        this.importKey,
        kind,
        rows.map((row) => row.id),
      )
    }
    const table = `"${this.table}"`
    const some = `SELECT id FROM ${table} ORDER BY random() LIMIT $1`
    await change(
      `INSERT INTO ${table} SELECT g, 'u' || g, 0 FROM generate_series($1::bigint, $2::bigint) g`,
      'insert',
      [this.next, this.next + count - 1],
    )
    this.next += count
    await change(`UPDATE ${table} SET score = score + 1 WHERE id IN (${some})`, 'update', [Math.ceil(count / 4)])
    await change(`DELETE FROM ${table} WHERE id IN (${some})`, 'delete', [Math.ceil(count / 7)])
  }

  /** A write load on the source table, registering through the library API. */
  writeLoad(perTick?: number): WriteLoad {
    return new WriteLoad(
      this.pool,
      this.table,
      (kind, keys) => this.storage.registerOperations(this.importKey, kind, keys),
      perTick,
    )
  }

  /**
   * Starts a worker that SIGKILLs itself at `point` and waits until it did (failing if the point is
   * never reached), then starts the healthy worker, which takes the killed step over once its
   * timeout passed.
   */
  async crashAt(point: CrashPoint): Promise<void> {
    const crashing = this.worker({ CHSYNC_CRASH_AT: point })
    await crashing.start()
    expect(await crashing.exited(90_000), `the worker never reached ${point}`).toBe('SIGKILL')
    await this.healthy.start()
  }

  private readonly others: WorkerProcess[] = []

  /** Another worker on the rig's config with extra environment (crash points) and arguments; stopped at tearDown. */
  worker(env: Record<string, string>, args: string[] = []): WorkerProcess {
    const worker = new WorkerProcess(['--config', this.config.file, ...args], { ...this.config.env, ...env })
    this.others.push(worker)
    return worker
  }

  /** Waits until everything registered so far is synced, stops the healthy worker and compares. */
  async flushAndVerify(): Promise<SyncVerdict> {
    const handle = this.handle as SyncWorkflowHandle
    const flushed = await handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: 120_000 }] })
    expect(flushed, this.healthy.tail()).toEqual({ synced: true, backlog: 0 })
    await this.healthy.stop()
    return this.config.verify(this.pool, this.storage, this.server)
  }
}
