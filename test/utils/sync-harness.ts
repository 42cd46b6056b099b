import type { Client } from '@temporalio/client'
import type { NativeConnection, Worker } from '@temporalio/worker'
import type pg from 'pg'
import type { ClickHouseDatabase } from '../../src/clickhouse/index.js'
import { parseConfig, type ResolvedConfig } from '../../src/config/load-config.js'
import type { Model, MultiModel } from '../../src/models/model.js'
import { openSyncRuntime } from '../../src/sync/open-runtime.js'
import type { SyncRuntime } from '../../src/sync/runtime.js'
import { connectClient } from '../../src/temporal/connect.js'
import { startSync, type SyncWorkflowHandle } from '../../src/temporal/sync-workflows.js'
import { createWorker } from '../../src/worker/worker.js'
import { flushUpdate, stopSignal } from '../../workflows/messages.js'
import type { FlushResult } from '../../workflows/types.js'
import { uniqueName } from './names.js'
import { requireEnv } from './services-env.js'

/**
 * chsync running in this process on the real services: a config of the given models over embedded
 * ClickHouse aliases, the sync runtime, a worker on a private task queue, and a Temporal client.
 */
export class SyncHarness {
  readonly config: ResolvedConfig
  runtime!: SyncRuntime
  client!: Client
  private worker!: Worker
  private connection!: NativeConnection
  private running!: Promise<void>
  private readonly handles: SyncWorkflowHandle[] = []

  constructor(
    readonly ch: ClickHouseDatabase,
    databases: Record<string, string>,
    models: readonly (Model | MultiModel)[],
  ) {
    const url = ch.displayUrl.slice(0, ch.displayUrl.lastIndexOf('/'))
    this.config = parseConfig(
      {
        databases: Object.fromEntries(Object.entries(databases).map(([alias, database]) => [alias, { url, database }])),
        postgres: { url: requireEnv('CHSYNC_POSTGRES_URL') },
        redis: { url: requireEnv('CHSYNC_REDIS_URL') },
        temporal: { address: requireEnv('CHSYNC_TEMPORAL_ADDRESS'), taskQueue: uniqueName('e2e') },
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

  async sync(importKey: string): Promise<SyncWorkflowHandle> {
    const handle = await startSync(this.client, this.config.temporal, importKey)
    this.handles.push(handle)
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

  async flush(handle: SyncWorkflowHandle, timeoutMs = 60_000): Promise<FlushResult> {
    return await handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs }] })
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.handles.map((handle) => handle.signal(stopSignal)))
    this.worker?.shutdown()
    await this.running
    await this.connection?.close()
    await this.client?.connection.close()
    await this.runtime?.close()
  }
}
