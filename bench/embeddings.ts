import { qualifiedTable } from '../src/clickhouse/sql.js'
import type { Model } from '../src/models/model.js'
import type { Benchmark } from './lib/benchmark.js'
import { benchBulkRead } from './lib/bulk-read.js'
import { ChsyncRun } from './lib/chsync.js'
import { vectorsModel } from './lib/models.js'
import { scaled } from './lib/options.js'
import { metric, type Metric } from './lib/result.js'
import { createVectorsTable, openPool } from './lib/source.js'
import { timed, waitFor } from './lib/stats.js'
import { clickhouseVersions, countRows, openTarget, recreateTable, type BenchTarget } from './lib/target.js'
import type pg from 'pg'

const DIRECT = 'app inserts into ClickHouse itself'

/** A small deterministic PRNG (mulberry32): the same batches and vectors on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The stream: batches of 10–100 rows of `dims` floats, ids from 1. */
function makeStream(rows: number, dims: number): { id: number; embedding: number[] }[][] {
  const next = random(dims)
  const batches: { id: number; embedding: number[] }[][] = []
  let id = 1
  while (id <= rows) {
    const size = Math.min(rows - id + 1, 10 + Math.floor(next() * 91))
    batches.push(
      Array.from({ length: size }, () => ({
        id: id++,
        embedding: Array.from({ length: dims }, () => Math.fround(next() * 2 - 1)),
      })),
    )
  }
  return batches
}

/**
 * 5. The embedding stream of reference/adr-clickhouse-architecture.md: an app writes small batches
 * (10–100 rows) of 384- and 1536-dimension vectors to PostgreSQL, one transaction each, and chsync
 * (library API) brings them into ClickHouse `Array(Float32)`. Rows/s and MB/s (raw float bytes) from
 * the first write to the last row visible, versus the app inserting each batch into ClickHouse itself
 * after its COMMIT. Then a bulk read of the whole dataset into memory, versus reading it from PostgreSQL.
 * First (while the process is fresh, for its RSS figure), the bulk read API (src/bulk-read) on
 * 100,000 384-d vectors against a raw fetch of the same bytes (alone with CHSYNC_BENCH_EMBEDDINGS=bulk-read).
 */
export const benchmark: Benchmark = {
  name: 'embeddings',
  description: 'Stream of 10–100-row batches of Array(Float32) vectors; bulk read back',
  async run(options) {
    const target = await openTarget(options.targets[0] ?? 'server', 'embeddings')
    const pool = openPool()
    const metrics: Metric[] = []
    const details: Record<string, unknown> = {}
    try {
      const rows = scaled(options, 100_000, 1000)
      const bulk = await benchBulkRead(
        target,
        vectorsModel({ importKey: 'bench_bulk_read', sourceTable: 'bench_bulk_read', dims: 384 }),
        rows,
        384,
      )
      metrics.push(...bulk.metrics)
      details.bulkRead = bulk.details
      // CHSYNC_BENCH_EMBEDDINGS=bulk-read: only the bulk read API, for measuring it at full size alone.
      const streams = process.env.CHSYNC_BENCH_EMBEDDINGS === 'bulk-read' ? [] : [384, 1536]
      for (const dims of streams) {
        const rows = scaled(options, dims === 384 ? 20_000 : 5_000, 100)
        const stream = makeStream(rows, dims)
        const mb = (rows * dims * 4) / 1e6
        const model = vectorsModel({ importKey: `bench_vectors_${dims}`, sourceTable: `bench_vectors_${dims}`, dims })
        const direct = await streamDirect(pool, target, model, stream)
        const chsync = await streamChsync(pool, target, model, stream)
        const read = await readBack(pool, target, model, rows)
        details[`${dims}`] = { rows, batches: stream.length, mb, chsyncMs: chsync, directMs: direct, ...read }
        const per = (ms: number) => rows / (ms / 1000)
        metrics.push(
          metric(`${dims}d stream: rows/s`, 'rows/s', per(chsync), { name: DIRECT, value: per(direct) }),
          metric(`${dims}d stream: MB/s`, 'MB/s', mb / (chsync / 1000), { name: DIRECT, value: mb / (direct / 1000) }),
          metric(`${dims}d bulk read: rows/s`, 'rows/s', per(read.clickhouseMs), {
            name: 'read from PostgreSQL',
            value: per(read.postgresMs),
          }),
        )
      }
    } finally {
      await pool.end()
    }
    return { metrics, details, clickhouse: clickhouseVersions([target]) }
  },
}

type Batch = { id: number; embedding: number[] }[]

async function insertSource(pool: pg.Pool, table: string, batch: Batch): Promise<void> {
  const params = batch.flatMap((row) => [row.id, row.embedding])
  const values = batch.map((_, i) => `($${2 * i + 1}, $${2 * i + 2}::real[])`).join(', ')
  await pool.query(`INSERT INTO ${table} (id, embedding) VALUES ${values}`, params)
}

async function streamDirect(pool: pg.Pool, target: BenchTarget, model: Model, stream: Batch[]): Promise<number> {
  await createVectorsTable(pool, model.source.table)
  await recreateTable(target, model)
  const table = qualifiedTable(target.db.database, model.table)
  const { ms } = await timed(async () => {
    for (const batch of stream) {
      await insertSource(pool, model.source.table, batch)
      await target.db.client.insert({
        table,
        values: batch.map((row) => ({ ...row, version: 1 })),
        format: 'JSONEachRow',
      })
    }
  })
  return ms
}

async function streamChsync(pool: pg.Pool, target: BenchTarget, model: Model, stream: Batch[]): Promise<number> {
  await createVectorsTable(pool, model.source.table)
  await recreateTable(target, model)
  const run = await new ChsyncRun(target, [model]).open()
  try {
    await run.resetStorage([model.importKey])
    await run.start([model.importKey])
    const storage = run.storage(model.importKey)
    const rows = stream.reduce((sum, batch) => sum + batch.length, 0)
    const { ms } = await timed(async () => {
      for (const batch of stream) {
        await insertSource(pool, model.source.table, batch)
        await storage.registerOperations(
          model.importKey,
          'insert',
          batch.map((row) => String(row.id)),
        )
      }
      await waitFor(
        'the stream to be in ClickHouse',
        async () => (await countRows(target, model.table)) >= rows,
        600_000,
      )
    })
    return ms
  } finally {
    await run.close()
  }
}

/** The whole dataset into memory: from ClickHouse (JSONEachRow) and, as the baseline, from PostgreSQL. */
async function readBack(pool: pg.Pool, target: BenchTarget, model: Model, rows: number) {
  const clickhouse = await timed(async () => {
    const result = await target.db.client.query({
      query: `SELECT id, embedding FROM ${qualifiedTable(target.db.database, model.table)} FINAL`,
      format: 'JSONEachRow',
    })
    return (await result.json<{ id: string; embedding: number[] }>()).length
  })
  const postgres = await timed(
    async () => (await pool.query(`SELECT id, embedding FROM ${model.source.table}`)).rowCount,
  )
  if (clickhouse.value !== rows || postgres.value !== rows)
    throw new Error(
      `read ${clickhouse.value} rows from ClickHouse and ${postgres.value} from PostgreSQL, expected ${rows}`,
    )
  return { clickhouseMs: Math.round(clickhouse.ms), postgresMs: Math.round(postgres.ms) }
}
