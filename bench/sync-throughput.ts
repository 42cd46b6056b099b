import { SyncMetrics } from '../src/metrics/metrics.js'
import type { Model } from '../src/models/model.js'
import type { Benchmark } from './lib/benchmark.js'
import { ChsyncRun } from './lib/chsync.js'
import { peakRss } from './lib/memory.js'
import { ordersModel } from './lib/models.js'
import { scaled, type BenchOptions } from './lib/options.js'
import { metric, type Metric } from './lib/result.js'
import { createOrdersTable, directCopy, openPool, ordersCopySql, sourceKeys } from './lib/source.js'
import { timed } from './lib/stats.js'
import { stepTimes } from './lib/steps.js'
import { clickhouseVersions, countRows, openTarget, recreateTable, type BenchTarget } from './lib/target.js'
import type pg from 'pg'

const COPY = 'COPY → one insert stream'

/**
 * 1. End-to-end sync throughput: N source rows registered as operations, one model at the default
 * batch size, drained by chsync (Redis + Temporal + worker) — versus the direct copy of the same rows
 * (PostgreSQL COPY → one ClickHouse insert stream), on each target; then the same with 4 models.
 */
export const benchmark: Benchmark = {
  name: 'sync-throughput',
  description: 'End-to-end sync rows/s (one model and 4 in parallel) vs PostgreSQL COPY → one ClickHouse insert',
  async run(options) {
    const rows = options.rows ?? scaled(options, 1_000_000, 1000)
    const pool = openPool()
    const metrics: Metric[] = []
    const details: Record<string, unknown> = { rows, batchSize: 10_000 }
    const targets: BenchTarget[] = []
    try {
      for (const kind of options.targets) {
        const target = await openTarget(kind, 'sync-throughput')
        targets.push(target)
        for (const models of [1, 4]) {
          const run = await measure(pool, target, rows, models, options)
          details[`${kind}/${models}`] = run.details
          const label = `${kind}, ${models} model${models > 1 ? 's' : ''}`
          metrics.push(
            metric(`${label}: rows/s`, 'rows/s', run.chsyncRate, { name: COPY, value: run.copyRate }, [
              { of: 'ratio', op: '>=', limit: 0.6 },
              ...(models === 1 ? [{ of: 'value' as const, op: '>=' as const, limit: 25_000 }] : []),
            ]),
            metric(`${label}: peak RSS`, 'MB', run.chsyncRssMb, { name: COPY, value: run.copyRssMb }),
          )
        }
      }
    } finally {
      await pool.end()
    }
    return { metrics, details, clickhouse: clickhouseVersions(targets) }
  },
}

async function measure(pool: pg.Pool, target: BenchTarget, rows: number, modelCount: number, _options: BenchOptions) {
  const perModel = Math.ceil(rows / modelCount)
  const models: Model[] = []
  for (let i = 0; i < modelCount; i++) {
    const importKey = `bench_sync_${modelCount}_${i}`
    const model = ordersModel({ importKey, sourceTable: `bench_sync_src_${modelCount}_${i}` })
    await createOrdersTable(pool, model.source.table, perModel)
    await recreateTable(target, model)
    await recreateTable(target, model, `${model.table}_copy`)
    models.push(model)
  }
  const total = perModel * modelCount

  // Baseline: every model's table copied directly, in parallel.
  const copy = await peakRss(() =>
    timed(() =>
      Promise.all(models.map((m) => directCopy(pool, ordersCopySql(m.source.table), target, `${m.table}_copy`))),
    ),
  )
  for (const m of models) await expectRows(target, `${m.table}_copy`, perModel)

  const stepMetrics = new SyncMetrics({ processMetrics: false })
  const run = await new ChsyncRun(target, models).open({ metrics: stepMetrics })
  try {
    const keys = models.map((m) => m.importKey)
    await run.resetStorage(keys)
    for (const m of models) {
      const all = await sourceKeys(pool, m.source.table)
      for (let start = 0; start < all.length; start += 100_000)
        await run.storage(m.importKey).registerOperations(m.importKey, 'insert', all.slice(start, start + 100_000))
    }
    const synced = await peakRss(() =>
      timed(async () => {
        await run.start(keys)
        await run.drained(keys, 30 * 60_000)
      }),
    )
    for (const m of models) await expectRows(target, m.table, perModel)
    const chsyncRate = total / (synced.value.ms / 1000)
    const copyRate = total / (copy.value.ms / 1000)
    return {
      chsyncRate,
      copyRate,
      chsyncRssMb: synced.peakMb,
      copyRssMb: copy.peakMb,
      details: {
        rows: total,
        chsyncMs: Math.round(synced.value.ms),
        copyMs: Math.round(copy.value.ms),
        ...(await stepTimes(stepMetrics)),
      },
    }
  } finally {
    await run.close()
  }
}

async function expectRows(target: BenchTarget, table: string, expected: number): Promise<void> {
  const count = await countRows(target, table)
  if (count !== expected) throw new Error(`${target.kind} ${table} holds ${count} rows, expected ${expected}`)
}
