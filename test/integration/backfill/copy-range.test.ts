import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyRange } from '../../../src/backfill/copy-range.js'
import { qualifiedTable, type ClickHouseDatabase } from '../../../src/clickhouse/index.js'
import {
  collapsingMergeTree,
  defineModel,
  int32,
  int8,
  mergeTree,
  replacingMergeTree,
  string,
  uInt64,
  type Model,
} from '../../../src/models/index.js'
import { openSyncRuntime } from '../../../src/sync/open-runtime.js'
import type { SyncRuntime } from '../../../src/sync/runtime.js'
import { clickhouseEmbedded, clickhouseServer, postgresPool } from '../../utils/clients.js'
import { createTables } from '../../utils/e2e.js'
import { uniqueName } from '../../utils/names.js'
import { SyncHarness } from '../../utils/sync-harness.js'

const ROWS = 3000
const pool = postgresPool()
const source = uniqueName('bf_copy')
const range = { kind: 'key' as const, index: 0, after: null, upTo: null }

function users(importKey: string, table: string, engine: 'plain' | 'replacing' | 'collapsing'): Model {
  const common = { importKey, table, source: { table: source, primaryKey: ['id'] }, deletes: 'ignore' as const }
  if (engine === 'plain')
    return defineModel({ ...common, fields: { id: uInt64(), name: string() }, engine: mergeTree({ orderBy: ['id'] }) })
  if (engine === 'replacing')
    return defineModel({
      ...common,
      fields: { id: uInt64(), name: string(), version: uInt64() },
      engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    })
  return defineModel({
    ...common,
    fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), sign: int8() },
    engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
  })
}

async function rawCount(ch: ClickHouseDatabase, database: string, table: string, final = ''): Promise<number> {
  const result = await ch.client.query({
    query: `SELECT count() AS n FROM ${qualifiedTable(database, table)} ${final}`,
    format: 'JSONEachRow',
  })
  return Number((await result.json<{ n: string }>())[0]?.n)
}

beforeAll(async () => {
  await pool.query(`CREATE TABLE "${source}" (id bigint PRIMARY KEY, name text NOT NULL, score int NOT NULL)`)
  await pool.query(`INSERT INTO "${source}" SELECT g, 'user ' || g, g FROM generate_series(1, ${ROWS}) g`)
})
afterAll(async () => {
  await pool.query(`DROP TABLE IF EXISTS "${source}"`)
  await pool.end()
})

/** A range copied twice (a retry after its insert landed) must not land twice: each target says what absorbs it. */
describe.each([
  // A plain MergeTree never merges rows away: only the token can keep the repeat out.
  { target: 'chDB 26.x', ch: () => clickhouseEmbedded(), engine: 'plain' as const, raw: ROWS, final: ROWS },
  { target: 'the 18.16 server', ch: () => clickhouseServer(), engine: 'collapsing' as const, raw: ROWS, final: ROWS },
  // No tokens on 18.16: the repeat lands, identical rows that ReplacingMergeTree merges (FINAL shows each once).
  {
    target: 'the 18.16 server',
    ch: () => clickhouseServer(),
    engine: 'replacing' as const,
    raw: 2 * ROWS,
    final: ROWS,
  },
])('copyRange re-sent on $target ($engine)', ({ ch: open, engine, raw, final }) => {
  const ch = open()
  const database = uniqueName('chsync_bfcopy')
  const importKey = uniqueName('bfcopy')
  const model = users(importKey, 'users', engine)
  let runtime: SyncRuntime

  beforeAll(async () => {
    await createTables(ch, database, [model])
    runtime = await openSyncRuntime(new SyncHarness(ch, { default: database }, [model]).config)
  })
  afterAll(async () => {
    await runtime?.close()
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${database}` })
    await ch.client.close()
  })

  it(`leaves ${raw} raw rows, ${final} after merging`, async () => {
    const input = { importKey, backfillId: 'run-1', range }
    const first = await copyRange(runtime, input, () => undefined)
    expect(first.rows).toBe(ROWS)
    await copyRange(runtime, input, () => undefined)
    expect(await rawCount(ch, database, 'users')).toBe(raw)
    if (engine !== 'plain') expect(await rawCount(ch, database, 'users', 'FINAL')).toBe(final)
  })
})
