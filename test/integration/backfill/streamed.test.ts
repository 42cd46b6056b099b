import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyRange } from '../../../src/backfill/copy-range.js'
import { collapsingMergeTree, defineModel, int8, string, uInt64 } from '../../../src/models/index.js'
import { openSyncRuntime } from '../../../src/sync/open-runtime.js'
import type { SyncRuntime } from '../../../src/sync/runtime.js'
import { clickhouseServer, postgresPool } from '../../utils/clients.js'
import { createTables } from '../../utils/e2e.js'
import { uniqueName } from '../../utils/names.js'
import { SyncHarness } from '../../utils/sync-harness.js'

const ROWS = 150_000
/** 2 KB of text per row: a 300 MB range, more than this process may hold if the copy were buffered. */
const TEXT_BYTES = 2048

/** A range bigger than memory should hold goes through a server insert streamed: RSS stays flat. */
describe('copyRange into a server', () => {
  const pool = postgresPool()
  const ch = clickhouseServer()
  const source = uniqueName('bf_big')
  const database = uniqueName('chsync_bfbig')
  const importKey = uniqueName('bfbig')
  const model = defineModel({
    importKey,
    table: 'big',
    fields: { id: uInt64(), payload: string(), version: uInt64(), sign: int8() },
    engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
    source: { table: source, primaryKey: ['id'] },
  })
  let runtime: SyncRuntime

  beforeAll(async () => {
    await pool.query(`CREATE TABLE "${source}" (id bigint PRIMARY KEY, payload text NOT NULL)`)
    await pool.query(
      `INSERT INTO "${source}" SELECT g, repeat(md5(g::text), ${TEXT_BYTES / 32}) FROM generate_series(1, ${ROWS}) g`,
    )
    await createTables(ch, database, [model])
    runtime = await openSyncRuntime(new SyncHarness(ch, { default: database }, [model]).config)
  })
  afterAll(async () => {
    await runtime?.close()
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${database}` })
    await ch.client.close()
    await pool.query(`DROP TABLE IF EXISTS "${source}"`)
    await pool.end()
  })

  it('streams a 300 MB range with RSS growing by a fraction of it', async () => {
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10)
    const range = { kind: 'key' as const, index: 0, after: null, upTo: null }
    try {
      const copied = await copyRange(runtime, { importKey, backfillId: 'big', range }, () => {
        peak = Math.max(peak, process.memoryUsage().rss)
      })
      expect(copied.rows).toBe(ROWS)
    } finally {
      clearInterval(sampler)
    }
    const payloadMb = (ROWS * TEXT_BYTES) / 2 ** 20
    const grownMb = (peak - before) / 2 ** 20
    expect(payloadMb).toBeGreaterThan(280)
    expect(grownMb).toBeLessThan(payloadMb / 3)
  })
})
