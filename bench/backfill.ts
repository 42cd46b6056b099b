import type pg from 'pg'
import type { Benchmark } from './lib/benchmark.js'
import { ChsyncRun } from './lib/chsync.js'
import { peakRss } from './lib/memory.js'
import { ordersModel } from './lib/models.js'
import { scaled } from './lib/options.js'
import { metric, type Metric } from './lib/result.js'
import { createOrdersTable, directCopy, openPool, ordersCopySql } from './lib/source.js'
import { timed } from './lib/stats.js'
import { clickhouseVersions, countRows, openTarget, recreateTable, type BenchTarget } from './lib/target.js'

const COPY = 'COPY → one insert stream'
const PARALLEL = 4
const RANGE_ROWS = 100_000

/**
 * Backfill of an existing table: N source rows loaded by `chsync backfill` (plan, then ranges of
 * 100k rows copied 4 at a time, COPY → one insert per range, through Temporal and a worker) versus
 * the direct copy of the same rows (PostgreSQL COPY → one ClickHouse insert stream), on each target.
 */
export const benchmark: Benchmark = {
  name: 'backfill',
  description: 'chsync backfill rows/s (4 range copies at once) vs PostgreSQL COPY → one ClickHouse insert',
  async run(options) {
    const rows = options.rows ?? scaled(options, 1_000_000, 1000)
    const pool = openPool()
    const metrics: Metric[] = []
    const details: Record<string, unknown> = { rows, parallel: PARALLEL, rangeRows: RANGE_ROWS }
    const targets: BenchTarget[] = []
    try {
      await createOrdersTable(pool, 'bench_backfill_src', rows)
      for (const kind of options.targets) {
        const target = await openTarget(kind, 'backfill')
        targets.push(target)
        const run = await measure(pool, target, rows)
        details[kind] = run.details
        metrics.push(
          metric(`${kind}: backfill rows/s`, 'rows/s', run.backfillRate, { name: COPY, value: run.copyRate }, [
            { of: 'ratio', op: '>=', limit: 0.6 },
          ]),
          metric(`${kind}: rows/s per range worker`, 'rows/s', run.perRange, { name: COPY, value: run.copyRate }),
          metric(`${kind}: backfill peak RSS`, 'MB', run.backfillRssMb, { name: COPY, value: run.copyRssMb }),
        )
      }
    } finally {
      await pool.query('DROP TABLE IF EXISTS bench_backfill_src')
      await pool.end()
    }
    return { metrics, details, clickhouse: clickhouseVersions(targets) }
  },
}

async function measure(pool: pg.Pool, target: BenchTarget, rows: number) {
  const model = ordersModel({ importKey: 'bench_backfill', sourceTable: 'bench_backfill_src' })
  await recreateTable(target, model)
  await recreateTable(target, model, `${model.table}_copy`)
  const copy = await peakRss(() =>
    timed(() => directCopy(pool, ordersCopySql(model.source.table), target, `${model.table}_copy`)),
  )
  await expectRows(target, `${model.table}_copy`, rows)

  const run = await new ChsyncRun(target, [model]).open()
  try {
    const backfilled = await peakRss(() =>
      timed(() => run.backfill(model.importKey, { parallel: PARALLEL, rangeRows: RANGE_ROWS })),
    )
    await expectRows(target, model.table, rows)
    const status = backfilled.value.value
    return {
      backfillRate: rows / (backfilled.value.ms / 1000),
      copyRate: rows / (copy.value.ms / 1000),
      perRange: status.rowsPerSecondPerRange,
      backfillRssMb: backfilled.peakMb,
      copyRssMb: copy.peakMb,
      details: {
        backfillMs: Math.round(backfilled.value.ms),
        copyMs: Math.round(copy.value.ms),
        ranges: status.ranges,
        method: status.method,
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
