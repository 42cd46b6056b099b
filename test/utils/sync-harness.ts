import type { Client } from '@temporalio/client'
import type { NativeConnection, Worker } from '@temporalio/worker'
import type pg from 'pg'
import type { ClickHouseDatabase } from '../../src/clickhouse/index.js'
import { parseConfig, type ResolvedConfig } from '../../src/config/load-config.js'
import type { Model, MultiModel } from '../../src/models/model.js'
import { openSyncRuntime } from '../../src/sync/open-runtime.js'
import * as steps from '../../src/sync/steps.js'
import type { SerializeResult } from '../../src/sync/types.js'
import type { Claim } from '../../src/storages/storage.js'
import type { SyncRuntime } from '../../src/sync/runtime.js'
import { connectClient } from '../../src/app/temporal/connect.js'
import { startSync, type SyncWorkflowHandle } from '../../src/app/temporal/sync-workflows.js'
import { createWorker } from '../../src/app/worker/worker.js'
import { flushUpdate, statusQuery, stopSignal } from '../../workflows/messages.js'
import type { FlushResult, SyncStatus } from '../../workflows/types.js'
import { uniqueName } from './names.js'
import { requireEnv } from './services-env.js'

/** An alias of the harness: a database on the harness's ClickHouse target, or its own URL and user. */
export type HarnessAlias = string | { url: string; database: string; user?: string }

/**
 * chsync running in this process on the real services: a config of the given models over embedded
 * ClickHouse aliases, the sync runtime, a worker on a private task queue, and a Temporal client.
 * A second harness on the same `taskQueue` takes over the workflows of one stopped with
 * `keepWorkflows` — a worker restarted with a fixed config.
 */
export class SyncHarness {
  readonly config: ResolvedConfig
  runtime!: SyncRuntime
  client!: Client
  private worker!: Worker
  private connection!: NativeConnection
  private running!: Promise<void>
  private readonly handles: SyncWorkflowHandle[] = []
  /** Import keys whose workflows this harness started (or took over). */
  private readonly synced = new Set<string>()

  constructor(
    readonly ch: ClickHouseDatabase,
    databases: Record<string, HarnessAlias>,
    models: readonly (Model | MultiModel)[],
    options: { taskQueue?: string } = {},
  ) {
    const url = ch.displayUrl.slice(0, ch.displayUrl.lastIndexOf('/'))
    const alias = (target: HarnessAlias) => (typeof target === 'string' ? { url, database: target } : target)
    this.config = parseConfig(
      {
        databases: Object.fromEntries(Object.entries(databases).map(([name, target]) => [name, alias(target)])),
        postgres: { url: requireEnv('CHSYNC_POSTGRES_URL') },
        redis: { url: requireEnv('CHSYNC_REDIS_URL') },
        temporal: { address: requireEnv('CHSYNC_TEMPORAL_ADDRESS'), taskQueue: options.taskQueue ?? uniqueName('e2e') },
        models,
      },
      // Only what this harness says: no CHSYNC_CLICKHOUSE_URL redirecting the aliases to the server.
      { env: {} },
    )
  }

  async start(options: Parameters<typeof openSyncRuntime>[1] = {}): Promise<void> {
    this.runtime = await openSyncRuntime(this.config, options)
    this.client = await connectClient(this.config.temporal)
    ;({ worker: this.worker, connection: this.connection } = await createWorker({
      runtime: this.runtime,
      temporal: this.config.temporal,
    }))
    this.running = this.worker.run()
  }

  /**
   * Starts this harness in the place of `previous`, which must share its task queue: a worker
   * restarted on a fixed config. The workflows `previous` started go on here (and stop with it).
   */
  async takeOver(previous: SyncHarness, options: Parameters<typeof openSyncRuntime>[1] = {}): Promise<void> {
    await previous.stop({ keepWorkflows: true })
    await this.start(options)
    for (const importKey of previous.synced) await this.sync(importKey)
  }

  async sync(importKey: string): Promise<SyncWorkflowHandle> {
    const handle = await startSync(this.client, this.config.temporal, importKey)
    if (!this.synced.has(importKey)) this.handles.push(handle)
    this.synced.add(importKey)
    return handle
  }

  storage(importKey: string) {
    return this.runtime.unit(importKey).storage
  }

  /** Writes to PostgreSQL, then registers the changed keys (the library API's after-commit step). */
  async change(pool: pg.Pool, importKey: string, sql: string, kind: 'insert' | 'update' | 'delete'): Promise<void> {
    const { rows } = await pool.query<{ id: string }>(`${sql} RETURNING id::text AS id`)
    await this.storage(importKey).registerOperations(
      importKey,
      kind,
      rows.map((row) => row.id),
    )
  }

  /** Polls the workflow's status until `predicate` holds (60 s at most), and returns that status. */
  async until(
    handle: SyncWorkflowHandle,
    predicate: (status: SyncStatus) => boolean,
    timeoutMs = 60_000,
  ): Promise<SyncStatus> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const status = await handle.query(statusQuery)
      if (predicate(status)) return status
      if (Date.now() > deadline) throw new Error(`status never matched; last: ${JSON.stringify(status)}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  /**
   * The first steps of a round without a workflow: claims what is registered and freezes its payload,
   * for tests that drive insertBatch themselves.
   */
  async freezeBatch(importKey: string, owner: string): Promise<{ claim: Claim; serialized: SerializeResult }> {
    const claim = (await steps.preSync(this.runtime, importKey, owner)).claim as Claim
    return { claim, serialized: await steps.fetchAndSerialize(this.runtime, claim) }
  }

  async flush(handle: SyncWorkflowHandle, timeoutMs = 60_000): Promise<FlushResult> {
    return await handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs }] })
  }

  /** Stops the worker; the workflows too unless `keepWorkflows` (another harness takes them over). */
  async stop(options: { keepWorkflows?: boolean } = {}): Promise<void> {
    if (!options.keepWorkflows) {
      await Promise.allSettled(this.handles.map((handle) => handle.signal(stopSignal)))
      // The worker must run until the workflows saw the signal, or they stay open on a dead task queue.
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        Promise.allSettled(this.handles.map((handle) => handle.result())),
        new Promise((resolve) => (timer = setTimeout(resolve, 20_000))),
      ])
      clearTimeout(timer)
    }
    this.worker?.shutdown()
    await this.running
    await this.connection?.close()
    await this.client?.connection.close()
    await this.runtime?.close()
  }
}
