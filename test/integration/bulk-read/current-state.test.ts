import { describe, expect, it } from 'vitest'
import { countModelRows, readModel, readModelColumns } from '../../../src/bulk-read/index.js'
import { probeCapabilities } from '../../../src/clickhouse/index.js'
import {
  collapsingMergeTree,
  createTableStatement,
  defineModel,
  replacingMergeTree,
  string,
  int8,
  uInt8,
  uInt64,
  type Model,
} from '../../../src/models/index.js'
import type { SourceRow } from '../../../src/models/model.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'
import { scratchDatabase } from '../../utils/scratch-database.js'
import { writeRound, type Round } from './sync-rounds.js'

const fields = { id: uInt64(), name: string(), version: uInt64() }

function collapsing(table: string): Model {
  return defineModel({
    importKey: table,
    table,
    fields: { ...fields, sign: int8() },
    engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
    source: { table, primaryKey: ['id'] },
  })
}

function replacingWithDeletes(table: string): Model {
  return defineModel({
    importKey: table,
    table,
    fields: { ...fields, is_deleted: uInt8() },
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
    source: { table, primaryKey: ['id'] },
  })
}

function replacing(table: string): Model {
  return defineModel({
    importKey: table,
    table,
    fields,
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    source: { table, primaryKey: ['id'] },
    deletes: 'ignore',
  })
}

let seq = 1
/** A round of operations of one kind; updates and inserts read `name` from the source rows given. */
function round(kind: 'insert' | 'update' | 'delete', rows: SourceRow[]): Round {
  return {
    operations: rows.map((row) => ({ kind, key: String(row.id), seq: seq++ })),
    rows: new Map(kind === 'delete' ? [] : rows.map((row) => [String(row.id), row])),
  }
}

const targets = [
  { target: 'embedded chDB 26.x', open: clickhouseEmbedded, modern: true },
  { target: 'ClickHouse 18.16 server', open: clickhouseServer, modern: false },
]

describe.each(targets)('the current state read on $target', ({ open, modern }) => {
  const scratch = scratchDatabase(open, 'chsync_bulk_state')

  async function create(model: Model): Promise<void> {
    const { sql, settings } = createTableStatement(model, await probeCapabilities(scratch.admin), scratch.database)
    await scratch.db.client.command({ query: sql, clickhouse_settings: settings })
  }

  async function names(model: Model): Promise<Record<string, string>> {
    const out: Record<string, string> = {}
    for await (const batch of readModel(scratch.db, model, { columns: ['id', 'name'], batchRows: 1 }))
      for (const row of batch as { id: bigint; name: string }[]) {
        expect(out).not.toHaveProperty(String(row.id))
        out[String(row.id)] = row.name
      }
    return out
  }

  const engines = [
    { engine: 'CollapsingMergeTree (cancel rows)', make: collapsing, runs: true },
    { engine: 'ReplacingMergeTree with is_deleted', make: replacingWithDeletes, runs: modern },
  ]
  it.each(engines.filter(({ runs }) => runs))('applies updates and deletes on $engine', async ({ make }) => {
    const model = make(`state_${seq}`)
    await create(model)
    const q = scratch.capabilities.queryParameters
    await writeRound(
      scratch.db,
      model,
      round(
        'insert',
        [1, 2, 3, 4].map((id) => ({ id, name: `v1-${id}` })),
      ),
      q,
    )
    await writeRound(scratch.db, model, round('update', [{ id: 2, name: 'v2-2' }]), q)
    await writeRound(scratch.db, model, round('delete', [{ id: 3 }]), q)
    await writeRound(
      scratch.db,
      model,
      round('update', [
        { id: 2, name: 'v3-2' },
        { id: 4, name: 'v2-4' },
      ]),
      q,
    )
    await writeRound(scratch.db, model, round('delete', [{ id: 4 }]), q)
    expect(await names(model)).toEqual({ 1: 'v1-1', 2: 'v3-2' })
    expect(await countModelRows(scratch.db, model)).toBe(2)
    const { rows, columns } = await readModelColumns(scratch.db, model, { columns: ['id'] })
    expect(rows).toBe(2)
    expect([...(columns.id as unknown as BigUint64Array)].sort()).toEqual([1n, 2n])
  })

  it.each([
    { engine: 'ReplacingMergeTree', make: replacing },
    { engine: 'CollapsingMergeTree', make: collapsing },
  ])('never returns a key twice while rounds keep writing new versions ($engine)', async ({ make }) => {
    const model = make(`live_${seq}`)
    await create(model)
    const q = scratch.capabilities.queryParameters
    const keys = Array.from({ length: 200 }, (_, index) => index + 1)
    await writeRound(
      scratch.db,
      model,
      round(
        'insert',
        keys.map((id) => ({ id, name: 'v0' })),
      ),
      q,
    )
    let writing = true
    const writer = (async () => {
      for (let version = 1; writing && version <= 200; version++) {
        // Each round updates half the keys: every key has rows in several unmerged parts.
        const half = keys.filter((id) => id % 2 === version % 2)
        await writeRound(
          scratch.db,
          model,
          round(
            'update',
            half.map((id) => ({ id, name: `v${version}` })),
          ),
          q,
        )
      }
    })()
    let reads = 0
    try {
      for (; reads < 15; reads++) {
        const { rows, columns } = await readModelColumns(scratch.db, model, { columns: ['id', 'name'] })
        const ids = [...(columns.id as unknown as BigUint64Array)]
        expect(rows).toBe(keys.length)
        expect(new Set(ids).size).toBe(keys.length)
      }
    } finally {
      writing = false
      await writer
    }
    expect(reads).toBe(15)
  })
})
