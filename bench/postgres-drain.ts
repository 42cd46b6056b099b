import { escapeIdentifier } from 'pg'
import type pg from 'pg'
import type { Benchmark } from './lib/benchmark.js'
import { ChsyncRun } from './lib/chsync.js'
import { ordersModel } from './lib/models.js'
import { scaled } from './lib/options.js'
import { metric, type Metric } from './lib/result.js'
import { createOrdersTable, directCopy, openPool, ordersCopySql, sourceKeys } from './lib/source.js'
import { timed, waitFor } from './lib/stats.js'
import { clickhouseVersions, countRows, openTarget, recreateTable, type BenchTarget } from './lib/target.js'

const COPY = 'COPY → one insert stream'
const SECOND_HALF = 'second half of the drain'

/**
 * 7. A drain of 1M operations waiting in PostgresStorage (the outbox), one model at the default batch
 * size. A round whose cost grows with the backlog (a count over every waiting operation) makes the
 * first half of the drain, with 1M → 500k waiting, slower than the second: the first half's rate is
 * measured against the second's, and the whole drain against the direct copy.
 */
export const benchmark: Benchmark = {
  name: 'postgres-drain',
  description: 'Drain of 1M operations from PostgresStorage: first half vs second half rows/s, and vs direct copy',
  async run(options) {
    const rows = options.rows ?? scaled(options, 1_000_000, 1000)
    const pool = openPool()
    const metrics: Metric[] = []
    const details: Record<string, unknown> = { rows, batchSize: 10_000 }
    const targets: BenchTarget[] = []
    try {
      for (const kind of options.targets) {
        const target = await openTarget(kind, 'postgres-drain')
        targets.push(target)
        const run = await measure(pool, target, rows)
        details[kind] = run
        metrics.push(
          metric(
            `${kind}: first half rows/s`,
            'rows/s',
            run.firstHalfRate,
            { name: SECOND_HALF, value: run.secondHalfRate },
            [{ of: 'ratio', op: '>=', limit: 0.8 }],
          ),
          metric(`${kind}: drain rows/s`, 'rows/s', run.drainRate, { name: COPY, value: run.copyRate }),
        )
      }
    } finally {
      await pool.end()
    }
    return { metrics, details, clickhouse: clickhouseVersions(targets) }
  },
}

async function measure(pool: pg.Pool, target: BenchTarget, rows: number) {
  const model = ordersModel({ importKey: 'bench_pg_drain', sourceTable: 'bench_pg_drain_src', storage: 'postgres' })
  await createOrdersTable(pool, model.source.table, rows)
  await recreateTable(target, model)
  await recreateTable(target, model, `${model.table}_copy`)
  const copy = await timed(() => directCopy(pool, ordersCopySql(model.source.table), target, `${model.table}_copy`))

  const run = await new ChsyncRun(target, [model]).open()
  try {
    const storage = run.storage(model.importKey) as { schema?: string } & ReturnType<typeof run.storage>
    // What an earlier run left in the outbox (the default schema) for this model.
    for (const table of ['operations', 'claims', 'locks', 'staged'])
      await pool.query(`DELETE FROM ${escapeIdentifier(storage.schema ?? 'chsync')}.${table} WHERE import_key = $1`, [
        model.importKey,
      ])
    const all = await sourceKeys(pool, model.source.table)
    for (let start = 0; start < all.length; start += 100_000)
      await storage.registerOperations(model.importKey, 'insert', all.slice(start, start + 100_000))
    // The statistics autovacuum keeps: planned on stale ones (a shared outbox analyzed when nearly
    // empty), a postSync of 10,000 operations ran for minutes.
    await pool.query(`ANALYZE ${escapeIdentifier(storage.schema ?? 'chsync')}.operations`)
    const started = performance.now()
    await run.start([model.importKey])
    // Rows landed in ClickHouse (count() without FINAL is read from part metadata: cheap to poll).
    await waitFor('half of the rows', async () => (await countRows(target, model.table)) >= rows / 2, 30 * 60_000, 50)
    const halfMs = performance.now() - started
    const halfRows = await countRows(target, model.table)
    await run.drained([model.importKey], 30 * 60_000)
    const drainMs = performance.now() - started
    return {
      rows,
      halfMs: Math.round(halfMs),
      drainMs: Math.round(drainMs),
      copyMs: Math.round(copy.ms),
      firstHalfRate: halfRows / (halfMs / 1000),
      secondHalfRate: (rows - halfRows) / ((drainMs - halfMs) / 1000),
      drainRate: rows / (drainMs / 1000),
      copyRate: rows / (copy.ms / 1000),
    }
  } finally {
    await run.close()
  }
}
