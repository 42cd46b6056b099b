import type { Client } from '@temporalio/client'
import type { NativeConnection, Worker } from '@temporalio/worker'
import { createLogger } from '../../src/logger.js'
import { parseConfig, type ResolvedConfig } from '../../src/config/load-config.js'
import type { SyncMetrics } from '../../src/metrics/metrics.js'
import type { Model } from '../../src/models/model.js'
import type { Storage } from '../../src/storages/storage.js'
import { openSyncRuntime } from '../../src/sync/open-runtime.js'
import type { SyncRuntime } from '../../src/sync/runtime.js'
import { connectClient } from '../../src/app/temporal/connect.js'
import { startSync, type SyncWorkflowHandle } from '../../src/app/temporal/sync-workflows.js'
import { startBackfill, type BackfillOptions } from '../../src/app/temporal/backfill-workflows.js'
import type { BackfillStatus } from '../../workflows/backfill-types.js'
import { createWorker } from '../../src/app/worker/worker.js'
import { stopSignal } from '../../workflows/messages.js'
import { requireEnv } from './env.js'
import { waitFor } from './stats.js'
import type { BenchTarget } from './target.js'

/**
 * chsync as a user runs it, in this process: a config of the given models writing to one target,
 * the sync runtime, one worker on a private task queue, one workflow per model.
 */
export class ChsyncRun {
  readonly config: ResolvedConfig
  runtime!: SyncRuntime
  private client!: Client
  private worker!: Worker
  private connection!: NativeConnection
  private running!: Promise<void>
  private readonly handles: SyncWorkflowHandle[] = []

  constructor(target: BenchTarget, models: readonly Model[]) {
    this.config = parseConfig(
      {
        databases: { default: { url: target.url, database: target.db.database } },
        postgres: { url: requireEnv('CHSYNC_POSTGRES_URL') },
        redis: { url: requireEnv('CHSYNC_REDIS_URL') },
        temporal: {
          address: requireEnv('CHSYNC_TEMPORAL_ADDRESS'),
          taskQueue: `chsync-bench-${process.pid}-${Date.now()}`,
        },
        models,
      },
      { env: {} },
    )
  }

  /** Opens the runtime and starts the worker (workflows not yet started). */
  async open(options: { metrics?: SyncMetrics } = {}): Promise<this> {
    this.runtime = await openSyncRuntime(this.config)
    this.client = await connectClient(this.config.temporal)
    ;({ worker: this.worker, connection: this.connection } = await createWorker({
      runtime: this.runtime,
      temporal: this.config.temporal,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      logger: quietLogger(),
    }))
    this.running = this.worker.run()
    return this
  }

  storage(importKey: string): Storage {
    return this.runtime.unit(importKey).storage
  }

  /** Drops whatever an earlier run left for these models in the storage (operations, claims, locks). */
  async resetStorage(importKeys: readonly string[]): Promise<void> {
    for (const importKey of importKeys) {
      const storage = this.storage(importKey) as Storage & {
        redis?: { keys(p: string): Promise<string[]>; del(...k: string[]): Promise<number> }
      }
      const keys = (await storage.redis?.keys(`chsync:{${importKey}}:*`)) ?? []
      if (keys.length) await storage.redis?.del(...keys)
    }
  }

  async start(importKeys: readonly string[]): Promise<void> {
    for (const importKey of importKeys) this.handles.push(await startSync(this.client, this.config.temporal, importKey))
  }

  /** Runs a backfill of `importKey` to its end; returns its last status. */
  async backfill(importKey: string, options: BackfillOptions): Promise<BackfillStatus> {
    const handle = await startBackfill(this.client, this.config.temporal, importKey, options)
    return await handle.result()
  }

  /** Waits until no operation of these models is waiting (the last batch's postSync ran). */
  async drained(importKeys: readonly string[], timeoutMs: number): Promise<void> {
    await waitFor(
      'the backlog to drain',
      async () => {
        for (const importKey of importKeys)
          if ((await this.storage(importKey).operationsCount(importKey)) > 0) return false
        return true
      },
      timeoutMs,
      10,
    )
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.handles.map((handle) => handle.signal(stopSignal)))
    await Promise.allSettled(this.handles.map((handle) => handle.result()))
    this.worker?.shutdown()
    await this.running
    await this.connection?.close()
    await this.client?.connection.close()
    await this.runtime?.close()
  }
}

/** The worker's info logs (a line per round) would drown the benchmark's table. */
function quietLogger() {
  return createLogger({ level: process.env.CHSYNC_LOG_LEVEL ?? 'warn' })
}
