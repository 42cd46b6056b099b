import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * chsync's Prometheus metrics, one registry per worker. Labels are import keys, models and write
 * aliases (a bounded set, from the config), never keys or batch ids.
 */
export class SyncMetrics {
  readonly registry = new Registry()

  readonly registered = new Counter({
    name: 'chsync_operations_registered_total',
    help: 'Operations registered in the storage.',
    labelNames: ['import_key'] as const,
    registers: [this.registry],
  })

  readonly removed = new Counter({
    name: 'chsync_operations_synced_total',
    help: 'Operations removed from the storage after their batch reached ClickHouse.',
    labelNames: ['import_key'] as const,
    registers: [this.registry],
  })

  readonly backlog = new Gauge({
    name: 'chsync_backlog_operations',
    help: 'Operations waiting in the storage, claimed ones included.',
    labelNames: ['import_key'] as const,
    registers: [this.registry],
  })

  readonly oldestAge = new Gauge({
    name: 'chsync_backlog_oldest_age_seconds',
    help: 'Age of the oldest waiting operation.',
    labelNames: ['import_key'] as const,
    registers: [this.registry],
  })

  readonly rowsInserted = new Counter({
    name: 'chsync_rows_inserted_total',
    help: 'Rows sent to ClickHouse (chunks deduplicated by the server included).',
    labelNames: ['import_key'] as const,
    registers: [this.registry],
  })

  readonly parked = new Counter({
    name: 'chsync_dead_letters_total',
    help: 'Operations parked as dead letters.',
    labelNames: ['import_key'] as const,
    registers: [this.registry],
  })

  readonly stepDuration = new Histogram({
    name: 'chsync_step_duration_seconds',
    help: 'Duration of each sync step (activity), successful or not.',
    labelNames: ['import_key', 'step', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  })

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'chsync_' })
  }

  /** Times `work` as one step of an import key's round. */
  async timeStep<T>(importKey: string, step: string, work: () => Promise<T>): Promise<T> {
    const end = this.stepDuration.startTimer({ import_key: importKey, step })
    try {
      const result = await work()
      end({ outcome: 'ok' })
      return result
    } catch (error) {
      end({ outcome: 'error' })
      throw error
    }
  }

  /** The callbacks storages report through (`StorageMetrics`). */
  storageCallbacks() {
    return {
      registered: (importKey: string, count: number) => this.registered.inc({ import_key: importKey }, count),
      removed: (importKey: string, count: number) => this.removed.inc({ import_key: importKey }, count),
      backlog: (importKey: string, snapshot: { size: number; oldestAgeMs: number | null }) => {
        this.backlog.set({ import_key: importKey }, snapshot.size)
        this.oldestAge.set({ import_key: importKey }, (snapshot.oldestAgeMs ?? 0) / 1000)
      },
    }
  }
}
