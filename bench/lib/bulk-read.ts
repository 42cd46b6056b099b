import http from 'node:http'
import { countModelRows, readModel, readModelColumns } from '../../src/bulk-read/index.js'
import { currentStateQuery } from '../../src/bulk-read/current-state-query.js'
import { qualifiedTable } from '../../src/clickhouse/sql.js'
import type { Model } from '../../src/models/model.js'
import { requireEnv } from './env.js'
import { RssSampler } from './memory.js'
import { metric, type Metric } from './result.js'
import { timed } from './stats.js'
import { recreateTable, type BenchTarget } from './target.js'

/**
 * Fills the model's table in ClickHouse itself (no sync: this measures the read): `rows` vectors of
 * `dims` floats at version 1, then a tenth of them again at version 2, in separate parts, so FINAL
 * has versions to resolve as it would after live sync.
 */
async function fill(target: BenchTarget, model: Model, rows: number, dims: number): Promise<void> {
  await recreateTable(target, model)
  const table = qualifiedTable(target.db.database, model.table)
  const vector = `arrayMap(i -> toFloat32((cityHash64(number, i, v) % 2001) / 1000 - 1), range(${dims}))`
  for (const [version, count] of [
    [1, rows],
    [2, Math.ceil(rows / 10)],
  ] as const) {
    await target.db.client.command({
      query: `INSERT INTO ${table} SELECT number + 1 AS id, ${vector.replace('v)', `${version})`)} AS embedding, ${version} AS version FROM numbers(${count})`,
    })
  }
}

/** The same bytes the read decodes, fetched into one Buffer without parsing: HTTP for a server, chDB's exec answer else. */
async function rawFetch(target: BenchTarget, sql: string, settings: Record<string, number>): Promise<number> {
  if (target.db.kind === 'embedded') {
    // chDB has no HTTP: its raw answer is the client's exec stream, collected unparsed.
    const result = await target.db.client.exec({ query: `${sql} FORMAT RowBinary`, clickhouse_settings: settings })
    const chunks: Buffer[] = []
    for await (const chunk of result.stream as AsyncIterable<Buffer>) chunks.push(chunk)
    return Buffer.concat(chunks).length
  }
  const url = new URL(requireEnv('CHSYNC_CLICKHOUSE_URL'))
  url.searchParams.set('database', target.db.database)
  for (const [name, value] of Object.entries(settings)) url.searchParams.set(name, String(value))
  // node:http, not fetch: undici's body reading took ~2 × curl's time for these 154 MB here, which
  // made the ceiling look lower than the server is.
  const body = await new Promise<Buffer>((resolve, reject) => {
    const request = http.request(url, { method: 'POST' }, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', reject)
      response.on('end', () => {
        const bytes = Buffer.concat(chunks)
        if (response.statusCode === 200) resolve(bytes)
        else reject(new Error(`raw fetch failed: ${response.statusCode} ${bytes.toString('utf8', 0, 300)}`))
      })
    })
    request.on('error', reject)
    request.end(`${sql} FORMAT RowBinary`)
  })
  return body.length
}

/** The faster of two runs: the machine is shared, and each way gets the same chance. */
async function best<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const a = await timed(work)
  const b = await timed(work)
  return a.ms <= b.ms ? a : b
}

/**
 * The ADR's bulk read: `rows` 384-d vectors into memory, timed four ways in one run — the raw RowBinary
 * fetch (the ceiling), `readModelColumns` (into one Float32Array), `readModel` (typed row batches) and
 * the JSONEachRow read of earlier versions — plus FINAL against `argMax … GROUP BY` and peak RSS.
 */
export async function benchBulkRead(target: BenchTarget, model: Model, rows: number, dims: number) {
  await fill(target, model, rows, dims)
  const query = currentStateQuery(target.db, model, { columns: ['id', 'embedding'], bind: false })
  const table = qualifiedTable(target.db.database, model.table)
  const argMaxSql = `SELECT id, argMax(embedding, version) AS embedding FROM ${table} GROUP BY id`
  // First, while the process holds little: the read's own memory is the peak over what it held
  // just before (after a full GC; memory freed by earlier phases would hide growth).
  globalThis.gc?.()
  const rssBeforeMb = process.memoryUsage.rss() / 2 ** 20
  const sampler = new RssSampler().start(5)
  const first = await timed(() => readModelColumns(target.db, model, { columns: ['id', 'embedding'] }))
  const peakMb = sampler.stop()
  const raw = await best(() => rawFetch(target, query.sql, query.settings))
  const second = await timed(() => readModelColumns(target.db, model, { columns: ['id', 'embedding'] }))
  const columns = second.ms < first.ms ? second : first
  const argMax = await timed(() => rawFetch(target, argMaxSql, {}))
  const count = await timed(() => countModelRows(target.db, model))
  const { rows: read, columns: result } = columns.value
  const embedding = result.embedding as unknown as { values: Float32Array; dimension: number | undefined }
  if (read !== rows || embedding.values.length !== rows * dims || embedding.dimension !== dims)
    throw new Error(
      `readModelColumns read ${read} rows of dimension ${embedding.dimension}, expected ${rows} × ${dims}`,
    )
  // A reload into the arrays just read (`into`): no allocation, no first-touch page faults.
  const reload = await timed(() =>
    readModelColumns(target.db, model, {
      columns: ['id', 'embedding'],
      expectedRows: rows,
      into: { id: result.id as unknown as BigUint64Array, embedding: embedding.values },
    }),
  )
  const reloaded = reload.value.columns.embedding as unknown as { values: Float32Array }
  if (reload.value.rows !== rows || reloaded.values.buffer !== embedding.values.buffer)
    throw new Error(`the reload read ${reload.value.rows} rows, expected ${rows} into the given Float32Array`)
  const batches = await timed(async () => {
    let total = 0
    for await (const batch of readModel(target.db, model, { columns: ['id', 'embedding'] })) total += batch.length
    return total
  })
  const json = await timed(async () => {
    const result = await target.db.client.query({
      query: query.sql,
      format: 'JSONEachRow',
      clickhouse_settings: query.settings,
    })
    return (await result.json()).length
  })
  if (batches.value !== rows || json.value !== rows)
    throw new Error(`read ${batches.value} / ${json.value} rows, expected ${rows}`)
  const dataMb = (rows * dims * 4 + rows * 8) / 2 ** 20
  const per = (ms: number) => rows / (ms / 1000)
  const rawFetchBaseline = { name: 'raw RowBinary fetch into one Buffer', value: per(raw.ms) }
  const metrics: Metric[] = [
    metric(`${dims}d bulk read into Float32Array: rows/s`, 'rows/s', per(columns.ms), rawFetchBaseline, [
      { of: 'value', op: '>=', limit: 200_000 },
      { of: 'ratio', op: '>=', limit: 0.5 },
    ]),
    metric(`${dims}d bulk read, reload into given arrays: rows/s`, 'rows/s', per(reload.ms), rawFetchBaseline),
    metric(`${dims}d bulk read, row batches: rows/s`, 'rows/s', per(batches.ms), rawFetchBaseline),
    metric(`${dims}d bulk read, JSONEachRow (before): rows/s`, 'rows/s', per(json.ms), rawFetchBaseline),
    metric(
      `${dims}d bulk read: peak RSS growth`,
      'MB',
      peakMb - rssBeforeMb,
      { name: 'data (ids + floats)', value: dataMb },
      [{ of: 'ratio', op: '<=', limit: 2 }],
    ),
  ]
  const details = {
    rows,
    dims,
    rawBytes: raw.value,
    dataMb: Math.round(dataMb),
    rssMb: { before: Math.round(rssBeforeMb), peak: Math.round(peakMb) },
    ms: {
      rawFetchFinal: Math.round(raw.ms),
      columnsRuns: [Math.round(first.ms), Math.round(second.ms)],
      rawFetchArgMax: Math.round(argMax.ms),
      count: Math.round(count.ms),
      columns: Math.round(columns.ms),
      reloadInto: Math.round(reload.ms),
      batches: Math.round(batches.ms),
      jsonEachRow: Math.round(json.ms),
    },
  }
  return { metrics, details }
}
