import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker, type NativeConnection } from '@temporalio/worker'
import { createBackfillActivities } from '../../../activities/backfill.js'
import { createSyncActivities } from '../../../activities/sync.js'
import { logger as rootLogger, type Logger } from '../../logger.js'
import type { SyncMetrics } from '../../metrics/metrics.js'
import type { FaultHook } from '../../sync/fault-points.js'
import type { SyncRuntime } from '../../sync/runtime.js'
import type { TemporalSettings } from '../../config/temporal-settings.js'
import { connectWorker } from '../temporal/connect.js'
import { checkSearchAttributes } from '../temporal/search-attributes.js'
import { routeTemporalLogs } from './runtime-logging.js'

export interface WorkerOptions {
  runtime: SyncRuntime
  temporal: TemporalSettings
  /** Most activities (and workflow tasks) run at once. @default 8 */
  concurrency?: number
  metrics?: SyncMetrics
  logger?: Logger
  /** Test-only fault injection (test/utils/fault-worker.mjs); the `chsync worker` command passes none. */
  faults?: FaultHook
}

/**
 * The workflows folder: compiled JS next to dist/src, or the TypeScript sources when running from
 * source (tests). The bundler compiles either.
 */
function workflowsPath(): string {
  for (const candidate of ['../../../workflows/index.js', '../../../workflows/index.ts']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url))
    if (existsSync(path)) return path
  }
  throw new Error('workflows/index.(js|ts) not found beside the chsync sources')
}

/**
 * The one worker of chsync: it hosts every sync workflow and their activities on one task queue.
 * `worker.run()` returns after SIGINT/SIGTERM once in-flight activities finished (the SDK's graceful
 * shutdown); activities cut short resume from their heartbeats elsewhere. Close `connection` after.
 */
export async function createWorker(options: WorkerOptions): Promise<{ worker: Worker; connection: NativeConnection }> {
  const log = options.logger ?? rootLogger
  routeTemporalLogs(log)
  const concurrency = options.concurrency ?? 8
  const connection = await connectWorker(options.temporal)
  try {
    await checkSearchAttributes(connection.operatorService, options.temporal.namespace)
    const worker = await Worker.create({
      connection,
      namespace: options.temporal.namespace,
      taskQueue: options.temporal.taskQueue,
      workflowsPath: workflowsPath(),
      activities: {
        ...createSyncActivities({
          runtime: options.runtime,
          ...(options.metrics ? { metrics: options.metrics } : {}),
          ...(options.faults ? { faults: options.faults } : {}),
        }),
        ...createBackfillActivities({
          runtime: options.runtime,
          ...(options.faults ? { faults: options.faults } : {}),
        }),
      },
      maxConcurrentActivityTaskExecutions: concurrency,
      // Each poll holds an activity slot. The SDK's default (one poll per slot, up to 10) leaves none
      // free when a workflow task schedules syncBatch, so the activity cannot be handed back eagerly in
      // the task's reply and waits for the server to dispatch it: ~45 ms more per round
      // (bench/orchestration, with its Temporal floor). Half the slots poll; eager dispatch needs two free.
      activityTaskPollerBehavior: {
        type: 'simple-maximum',
        maximum: Math.max(1, Math.min(10, Math.floor(concurrency / 2))),
      },
      // The SDK needs two workflow task slots with sticky queues (one serves each poller): with one,
      // `--concurrency 1` left workflow tasks unserved and the worker hung.
      maxConcurrentWorkflowTaskExecutions: Math.max(2, concurrency),
    })
    log.info({ taskQueue: options.temporal.taskQueue, address: options.temporal.address, concurrency }, 'worker ready')
    // Which models PostgreSQL renders (src/serializers/sql/render-path.ts) and, for the others, why not.
    for (const importKey of options.runtime.importKeys()) {
      const path = await options.runtime.unit(importKey).renderPath()
      log.info(
        { importKey, serializer: path.path, ...(path.path === 'js' ? { reason: path.reason } : {}) },
        path.path === 'sql' ? 'rows rendered by PostgreSQL' : 'rows serialized in JavaScript',
      )
    }
    return { worker, connection }
  } catch (error) {
    await connection.close()
    throw error
  }
}
