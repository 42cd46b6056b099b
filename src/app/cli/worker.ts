import { Command } from 'commander'
import { loadConfig } from '../../config/load-config.js'
import { logger } from '../../logger.js'
import { SyncMetrics, serveMetrics } from '../../metrics/index.js'
import { checkModels } from '../../migrations/check.js'
import { openSyncRuntime } from '../../sync/open-runtime.js'
import type { FaultHook } from '../../sync/fault-points.js'
import { absorbRepeatedStopSignals } from '../worker/repeated-signals.js'
import { createWorker } from '../worker/worker.js'

/**
 * `chsync worker`: one process hosting every sync workflow and activity of a config. Start-up
 * failures name the service and address; a model whose table does not fit is reported and then
 * blocks on its own, without stopping the others. `faults` is for the fault suite's worker entry only.
 */
export function workerCommand(faults?: FaultHook): Command {
  return new Command('worker')
    .description('run the worker that syncs every model of the config (stops gracefully on SIGINT/SIGTERM)')
    .option('-c, --config <file>', 'configuration file', 'chsync.config.ts')
    .option('--task-queue <name>', 'Temporal task queue (default: the config’s temporal.taskQueue)')
    .option('--concurrency <n>', 'activities run at once', '8')
    .option('--metrics-port <port>', 'serve Prometheus metrics on 127.0.0.1:<port>/metrics')
    .action(async (options: { config: string; taskQueue?: string; concurrency: string; metricsPort?: string }) => {
      const config = await loadConfig(options.config)
      const concurrency = Number(options.concurrency)
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error('--concurrency must be a positive integer')
      const metrics = new SyncMetrics()
      const metricsServer = options.metricsPort
        ? await serveMetrics(metrics.registry, Number(options.metricsPort))
        : null
      const runtime = await openSyncRuntime(config, {
        metrics: metrics.storageCallbacks(),
        warn: (message) => logger.warn(message),
        poolSize: concurrency + 2,
      })
      try {
        for (const check of await checkModels(config)) {
          const problem = check.error?.message ?? check.deduplication
          if (problem) logger.warn({ importKey: check.model.importKey, alias: check.alias }, problem)
        }
        const temporal = { ...config.temporal, ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}) }
        // Before the worker says it is ready: a Ctrl-C right after that must meet the guard already.
        const releaseSignals = absorbRepeatedStopSignals()
        try {
          const { worker, connection } = await createWorker({
            runtime,
            temporal,
            concurrency,
            metrics,
            logger,
            ...(faults ? { faults } : {}),
          })
          try {
            await worker.run()
          } finally {
            await connection.close()
          }
        } finally {
          releaseSignals()
        }
      } finally {
        await runtime.close()
        metricsServer?.close()
      }
    })
}
