import type { Client } from '@temporalio/client'
import pg from 'pg'
import { expect } from 'vitest'
import { installCapture } from '../../src/capture/triggers.js'
import { openClickHouse } from '../../src/clickhouse/index.js'
import { messageOf } from '../../src/errors.js'
import { openStorage } from '../../src/storages/open-storage.js'
import type { OperationKind, Storage } from '../../src/storages/storage.js'
import { connectClient } from '../../src/app/temporal/connect.js'
import { startSync, type SyncWorkflowHandle } from '../../src/app/temporal/sync-workflows.js'
import { flushUpdate, statusQuery, stopSignal } from '../../workflows/messages.js'
import type { SyncStatus } from '../../workflows/types.js'
import { chdbReader } from './chdb-reader.js'
import { writeUsersConfig } from './config-file.js'
import type { RowSource } from './e2e.js'
import type { SyncVerdict } from './faults.js'
import { uniqueName } from './names.js'
import { requireEnv } from './services-env.js'
import { WorkerProcess } from './worker-process.js'
import { WriteLoad } from './write-load.js'
import type { PrivateService } from './private-service.js'

export interface OutageRigOptions {
  /** Names the source table and import key. */
  prefix: string
  /** Where each part lives; the shared stack (and embedded ClickHouse) where not given. */
  postgresUrl?: string
  redisUrl?: string
  clickhouseUrl?: string
  /** Capture triggers register the changes (outbox, relayed to Redis by the worker) instead of the library API. */
  capture?: boolean
  /** Where operations wait (see writeUsersConfig). @default 'redis' */
  storage?: 'redis' | 'postgres'
  /** @default 'replacing' (see writeUsersConfig); old servers need 'collapsing'. */
  engine?: 'replacing' | 'collapsing'
  batchSize?: number
  syncDelayMs?: number
}

/**
 * Everything a service-outage scenario runs: a users model synced by a real worker process (with
 * its config pointing at the private instance the test breaks), a write load registering changes
 * the way the scenario says, and the ending every scenario shares — stop writing, flush, compare.
 */
export class OutageRig {
  readonly table: string
  readonly importKey: string
  readonly config: ReturnType<typeof writeUsersConfig>
  readonly worker: WorkerProcess
  pool!: pg.Pool
  /** The model's storage, as the worker sees it (RedisStorage unless `storage: 'postgres'`). */
  storage!: Storage
  client!: Client
  handle!: SyncWorkflowHandle

  constructor(private readonly options: OutageRigOptions) {
    this.table = uniqueName(options.prefix)
    this.importKey = uniqueName(options.prefix)
    this.config = writeUsersConfig({
      sourceTable: this.table,
      importKey: this.importKey,
      batchSize: options.batchSize ?? 1000,
      syncDelayMs: options.syncDelayMs ?? 500,
      ...(options.postgresUrl ? { postgresUrl: options.postgresUrl } : {}),
      ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
      ...(options.clickhouseUrl ? { clickhouseUrl: options.clickhouseUrl } : {}),
      ...(options.engine ? { engine: options.engine } : {}),
      ...(options.storage ? { storage: options.storage } : {}),
    })
    this.worker = new WorkerProcess(['--config', this.config.file], this.config.env)
  }

  /** Creates both tables (and the capture triggers), starts the worker and the model's workflow. */
  async setUp(): Promise<void> {
    this.pool = new pg.Pool({ connectionString: this.options.postgresUrl ?? requireEnv('CHSYNC_POSTGRES_URL'), max: 4 })
    // An idle connection the server closes (a PostgreSQL restart) is an 'error' event on the pool;
    // unheard it would end the test process. The next query reconnects.
    this.pool.on('error', () => undefined)
    await this.config.prepare(this.pool)
    if (this.options.capture)
      await installCapture(this.pool, {
        importKey: this.importKey,
        source: { table: this.table, primaryKey: ['id'] },
      })
    this.storage =
      this.options.storage === 'postgres'
        ? openStorage({ kind: 'postgres', url: this.options.postgresUrl ?? requireEnv('CHSYNC_POSTGRES_URL') })
        : openStorage({ kind: 'redis', url: this.options.redisUrl ?? requireEnv('CHSYNC_REDIS_URL') })
    this.client = await connectClient(this.config.temporal)
    await this.worker.start()
    this.handle = await startSync(this.client, this.config.temporal, this.importKey)
  }

  /** ~1,000 changes/s on the source table, registered by the library API or by the triggers. */
  load(): WriteLoad {
    const register = this.options.capture
      ? null
      : (kind: OperationKind, keys: string[]) => this.storage.registerOperations(this.importKey, kind, keys)
    return new WriteLoad(this.pool, this.table, register)
  }

  /**
   * Trigger-captured operations in the PostgreSQL outbox not yet relayed to Redis (the relay keeps
   * relayed rows until Redis shows them synced). With PostgresStorage: all of them.
   */
  async outboxCount(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM chsync.operations WHERE import_key = $1 AND relayed IS NULL',
      [this.importKey],
    )
    return rows[0]?.n ?? 0
  }

  status(): Promise<SyncStatus> {
    return this.handle.query(statusQuery)
  }

  /**
   * Waits until the workflow's status satisfies `test` (polling: rounds take as long as a
   * shared 2-core machine makes them), failing with the last status and the worker's output.
   */
  async statusUntil(what: string, test: (status: SyncStatus) => boolean, timeoutMs = 120_000): Promise<SyncStatus> {
    return await waitFor(
      what,
      timeoutMs,
      async () => {
        const status = await this.status()
        return test(status) ? status : undefined
      },
      () => this.worker.tail(),
    )
  }

  /**
   * Takes `service` away for `seconds` (a stopped PrivateService, or a cut TcpProxy) under the running load and brings it back, checking that the
   * worker behaves meanwhile: the round fails visibly (status `lastError` and the worker's log match
   * `error`, which names the service), what waits keeps growing (`waiting`: the backlog, or the outbox), the worker
   * process stays up, and rounds commit again once the service is back.
   */
  async throughOutage(
    service: Pick<PrivateService, 'down' | 'up'>,
    seconds: number,
    error: RegExp,
    waiting: () => Promise<number>,
    /** What the status's lastError must match, where it differs from the log's `error`. */
    statusError: RegExp = error,
  ): Promise<void> {
    const down = Date.now()
    await service.down()
    const waitingBefore = await waiting()
    const failing = await this.statusUntil(
      'the outage in the status',
      (status) => status.consecutiveFailures > 0 && Date.parse(status.lastError?.at ?? '') > down,
    )
    expect(failing.lastError?.message, this.worker.tail()).toMatch(statusError)
    expect(this.worker.tail(Number.MAX_SAFE_INTEGER), 'the worker log names the service').toMatch(error)
    // The outage lasts as long as the scenario says (or until the failure showed, if that took
    // longer): this wait is the fault, not a hope.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, down + seconds * 1000 - Date.now())))
    expect(await waiting(), 'operations waiting during the outage').toBeGreaterThan(waitingBefore)
    expect(this.worker.alive, this.worker.tail()).toBe(true)
    await service.up()
    await this.statusUntil(
      'recovery after the outage',
      (status) => status.consecutiveFailures === 0 && status.rounds > failing.rounds,
      180_000,
    )
  }

  /**
   * The ending of every outage scenario, after the load stopped: a flush that waits until all that
   * was registered is in ClickHouse, the workflow and worker stopped, then the row-by-row verdict.
   */
  async converge(flushTimeoutMs = 240_000): Promise<SyncVerdict> {
    const flushed = await this.handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: flushTimeoutMs }] })
    expect(flushed, this.worker.tail()).toEqual({ synced: true, backlog: 0 })
    expect(this.worker.alive, `the worker process died:\n${this.worker.tail()}`).toBe(true)
    await this.handle.signal(stopSignal)
    await this.handle.result()
    await this.worker.stop()
    const ch: RowSource = this.options.clickhouseUrl
      ? openClickHouse({ url: this.options.clickhouseUrl, database: this.config.database })
      : chdbReader(this.config.chdbDir)
    try {
      const verdict = await this.config.verify(this.pool, this.storage, ch)
      // With triggers and Redis, an operation not yet relayed still waits in the outbox: it counts as left too.
      if (this.options.capture && this.options.storage !== 'postgres')
        verdict.operationsLeft += await this.outboxCount()
      return verdict
    } finally {
      if (typeof ch !== 'function') await ch.client.close()
    }
  }

  async tearDown(): Promise<void> {
    await this.worker.stop()
    await this.client?.connection.close()
    await this.storage?.close()
    await this.pool?.query(`DROP TABLE IF EXISTS "${this.table}"`).catch(() => undefined)
    await this.pool?.end()
  }
}

/** Polls `probe` every 200 ms until it returns a value; fails after `timeoutMs` naming what it waited for. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  context: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${messageOf(last)})` : ''}\n${context()}`,
      )
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
