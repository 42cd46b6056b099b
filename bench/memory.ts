import type { Benchmark } from './lib/benchmark.js'
import { ChsyncRun } from './lib/chsync.js'
import { peakRss } from './lib/memory.js'
import { vectorsModel } from './lib/models.js'
import { scaled } from './lib/options.js'
import { metric } from './lib/result.js'
import { createVectorsTable, directCopy, fillVectors, openPool, sourceKeys, vectorsCopySql } from './lib/source.js'
import { clickhouseVersions, countRows, openTarget, recreateTable, type BenchTarget } from './lib/target.js'
import type pg from 'pg'
import type { Model } from '../src/models/model.js'

const DIMS = 384
const BATCH = 10_000
const COPY = 'COPY → one insert stream'

/**
 * 6. Memory: the worker's peak RSS draining a backlog of 384-dimension vectors in 10,000-row batches,
 * for a small and a 4× larger backlog (it must not grow with the backlog), versus the direct copy of
 * the same rows. The worker runs in this process, so the figure is an upper bound (driver included).
 */
export const benchmark: Benchmark = {
  name: 'memory',
  description: 'Worker peak RSS, 10,000-row batches of 384-d vectors, small vs 4× backlog',
  async run(options) {
    const target = await openTarget(options.targets[0] ?? 'server', 'memory')
    const pool = openPool()
    const large = scaled(options, 100_000, 400)
    const small = Math.max(1, Math.round(large / 4))
    try {
      const source = 'bench_memory_src'
      await createVectorsTable(pool, source)
      await fillVectors(pool, source, 1, large, DIMS)
      const copyModel = vectorsModel({ importKey: 'bench_memory_copy', sourceTable: source, dims: DIMS })
      await recreateTable(target, copyModel)
      globalThis.gc?.()
      const copy = await peakRss(() => directCopy(pool, vectorsCopySql(source), target, copyModel.table))
      // One worker drains both backlogs, as one worker process would (each worker bundles the
      // workflow code anew: a second one in this process would add its own ~100 MB).
      const models = (['small', 'large'] as const).map((label) =>
        vectorsModel({ importKey: `bench_memory_${label}`, sourceTable: source, dims: DIMS, batchSize: BATCH }),
      )
      const run = await new ChsyncRun(target, models).open()
      let smallRun, largeRun
      try {
        smallRun = await drain(pool, target, run, models[0] as Model, small)
        largeRun = await drain(pool, target, run, models[1] as Model, large)
      } finally {
        await run.close()
      }
      return {
        metrics: [
          metric(
            `peak RSS, ${large.toLocaleString('en-US')} rows backlog`,
            'MB',
            largeRun.peakMb,
            { name: COPY, value: copy.peakMb },
            [{ of: 'value', op: '<=', limit: 512 }],
          ),
          metric(`peak RSS, ${small.toLocaleString('en-US')} rows backlog`, 'MB', smallRun.peakMb, {
            name: COPY,
            value: copy.peakMb,
          }),
        ],
        details: { dims: DIMS, batchSize: BATCH, small, large, smallRun, largeRun },
        clickhouse: clickhouseVersions([target]),
      }
    } finally {
      await pool.end()
    }
  },
}

async function drain(pool: pg.Pool, target: BenchTarget, run: ChsyncRun, model: Model, rows: number) {
  await recreateTable(target, model)
  await run.resetStorage([model.importKey])
  const keys = (await sourceKeys(pool, model.source.table)).slice(0, rows)
  await run.storage(model.importKey).registerOperations(model.importKey, 'insert', keys)
  globalThis.gc?.()
  const idleMb = process.memoryUsage.rss() / 2 ** 20
  const started = performance.now()
  const { peakMb } = await peakRss(async () => {
    await run.start([model.importKey])
    await run.drained([model.importKey], 30 * 60_000)
  })
  const ms = Math.round(performance.now() - started)
  const count = await countRows(target, model.table)
  if (count !== rows) throw new Error(`${model.table} holds ${count} rows, expected ${rows}`)
  return { peakMb, ms, idleMb: Math.round(idleMb) }
}
