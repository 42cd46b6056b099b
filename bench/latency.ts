import { qualifiedTable } from '../src/clickhouse/sql.js'
import { installCapture, removeCapture } from '../src/capture/triggers.js'
import type { Model } from '../src/models/model.js'
import type { Benchmark } from './lib/benchmark.js'
import { ChsyncRun } from './lib/chsync.js'
import { ordersModel } from './lib/models.js'
import { scaled } from './lib/options.js'
import { metric, type Metric } from './lib/result.js'
import { createOrdersTable, openPool } from './lib/source.js'
import { sleep, summarize, waitFor } from './lib/stats.js'
import { clickhouseVersions, openTarget, recreateTable, type BenchTarget } from './lib/target.js'
import type pg from 'pg'

const RATE = 1000
/** Changes per transaction: 100 transactions/s of 10 rows make the steady 1,000 changes/s. */
const PER_TX = 10
const SYNC_DELAY_MS = 1000
const DIRECT = 'direct insert after COMMIT'

type Mode = 'trigger' | 'api' | 'direct'

/**
 * 3. Latency from COMMIT in PostgreSQL to the row being visible in ClickHouse at a steady 1,000
 * changes/s (100 transactions of 10 inserted rows), syncDelay 1 s: with trigger capture, and with
 * the library API (register right after COMMIT). Baseline: the app inserting the same rows into
 * ClickHouse itself right after COMMIT. Visibility is polled every 20 ms (which adds ≤ 20 ms).
 */
export const benchmark: Benchmark = {
  name: 'latency',
  description: 'COMMIT → visible in ClickHouse, p50/p95/p99, at 1,000 changes/s, syncDelay 1 s',
  async run(options) {
    const seconds = scaled(options, 20, 2)
    const target = await openTarget(options.targets[0] ?? 'server', 'latency')
    const pool = openPool(20)
    const metrics: Metric[] = []
    const details: Record<string, unknown> = { seconds, rate: RATE, perTransaction: PER_TX, syncDelayMs: SYNC_DELAY_MS }
    try {
      const direct = await measure(pool, target, 'direct', seconds)
      details.direct = direct
      for (const mode of ['trigger', 'api'] as const) {
        const result = await measure(pool, target, mode, seconds)
        details[mode] = result
        for (const p of ['p50', 'p95', 'p99'] as const) {
          metrics.push(
            metric(`${mode} ${p}`, 'ms', result[p], { name: DIRECT, value: direct[p] }, [
              ...(p === 'p95' ? [{ of: 'value' as const, op: '<=' as const, limit: SYNC_DELAY_MS + 1000 }] : []),
            ]),
          )
        }
      }
    } finally {
      await pool.end()
    }
    return { metrics, details, clickhouse: clickhouseVersions([target]) }
  },
}

async function measure(pool: pg.Pool, target: BenchTarget, mode: Mode, seconds: number) {
  const model = ordersModel({
    importKey: `bench_latency_${mode}`,
    sourceTable: `bench_latency_${mode}`,
    syncDelayMs: SYNC_DELAY_MS,
  })
  await createOrdersTable(pool, model.source.table, 0)
  await recreateTable(target, model)
  const run = mode === 'direct' ? null : await new ChsyncRun(target, [model]).open()
  try {
    if (mode === 'trigger') await installCapture(pool, { importKey: model.importKey, source: model.source })
    if (run) {
      await run.resetStorage([model.importKey])
      await run.start([model.importKey])
    }
    const committed = new Map<number, number>()
    const seen = new Map<number, number>()
    const observer = observe(target, model, seen)
    const total = seconds * RATE
    const inFlight: Promise<void>[] = []
    const start = performance.now()
    for (let tx = 0; tx * PER_TX < total; tx++) {
      const due = start + (tx * PER_TX * 1000) / RATE
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      inFlight.push(write(pool, run, target, model, mode, tx * PER_TX + 1, committed))
    }
    await Promise.all(inFlight)
    await waitFor('every row to be visible', () => Promise.resolve(seen.size >= total), 120_000, 50)
    observer.stop()
    await observer.done
    const latencies = [...committed].map(([id, at]) => (seen.get(id) as number) - at)
    return { ...summarize(latencies), behindMs: Math.round(performance.now() - start - seconds * 1000) }
  } finally {
    if (mode === 'trigger') await removeCapture(pool, { importKey: model.importKey })
    await run?.close()
  }
}

/** One transaction inserting PER_TX rows from `first`; the commit time of each is noted. */
async function write(
  pool: pg.Pool,
  run: ChsyncRun | null,
  target: BenchTarget,
  model: Model,
  mode: Mode,
  first: number,
  committed: Map<number, number>,
): Promise<void> {
  const ids = Array.from({ length: PER_TX }, (_, i) => first + i)
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(`INSERT INTO ${model.source.table} SELECT g, 'c', 'new', 1, now() FROM unnest($1::bigint[]) g`, [
      ids,
    ])
    await client.query('COMMIT')
  } finally {
    client.release()
  }
  const at = performance.now()
  for (const id of ids) committed.set(id, at)
  if (mode === 'api' && run)
    await run.storage(model.importKey).registerOperations(model.importKey, 'insert', ids.map(String))
  if (mode === 'direct') {
    const now = new Date().toISOString().slice(0, 19).replace('T', ' ')
    await target.db.client.insert({
      table: qualifiedTable(target.db.database, model.table),
      values: ids.map((id) => ({ id, customer: 'c', status: 'new', amount: 1, updated_at: now, version: 1 })),
      format: 'JSONEachRow',
    })
  }
}

/** Polls ClickHouse every 20 ms for rows above the lowest id not yet seen, noting when each appears. */
function observe(target: BenchTarget, model: Model, seen: Map<number, number>) {
  let running = true
  const done = (async () => {
    let low = 0
    while (running) {
      const result = await target.db.client.query({
        query: `SELECT id FROM ${qualifiedTable(target.db.database, model.table)} WHERE id > ${low}`,
        format: 'JSONEachRow',
      })
      const rows = await result.json<{ id: string | number }>()
      const at = performance.now()
      for (const row of rows) if (!seen.has(Number(row.id))) seen.set(Number(row.id), at)
      while (seen.has(low + 1)) low++
      await sleep(20)
    }
  })()
  return { done, stop: () => (running = false) }
}
