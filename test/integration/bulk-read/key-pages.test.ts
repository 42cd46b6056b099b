import { describe, expect, it } from 'vitest'
import { readModel, readModelColumns } from '../../../src/bulk-read/index.js'
import { currentStateQuery } from '../../../src/bulk-read/current-state-query.js'
import { probeCapabilities } from '../../../src/clickhouse/index.js'
import {
  collapsingMergeTree,
  createTableStatement,
  defineModel,
  mergeTree,
  replacingMergeTree,
  summingMergeTree,
  string,
  int8,
  uInt8,
  uInt16,
  uInt64,
  versionedCollapsingMergeTree,
  type Model,
} from '../../../src/models/index.js'
import type { SourceRow } from '../../../src/models/model.js'
import { clickhouseEmbedded } from '../../utils/clients.js'
import { scratchDatabase } from '../../utils/scratch-database.js'
import { qualifiedTable } from '../../../src/clickhouse/sql.js'
import { writeRound, type Round } from './sync-rounds.js'

/**
 * chDB materializes every answer, so a read there is a series of keyset pages over the sorting key.
 * A page budget of a few hundred bytes makes pages of a few rows: the paged read must be exactly
 * the one-shot current-state query, on every engine and on a key of two columns.
 */
const PAGE_BYTES = 400

const fields = { tenant: uInt16(), id: uInt64(), name: string(), version: uInt64() }

const engines = [
  {
    engine: 'ReplacingMergeTree',
    make: (table: string, orderBy: ('tenant' | 'id')[]) =>
      defineModel({
        importKey: table,
        table,
        fields,
        engine: replacingMergeTree({ orderBy, version: 'version' }),
        source: { table, primaryKey: ['tenant', 'id'] },
        deletes: 'ignore',
      }),
  },
  {
    engine: 'ReplacingMergeTree with is_deleted',
    make: (table: string, orderBy: ('tenant' | 'id')[]) =>
      defineModel({
        importKey: table,
        table,
        fields: { ...fields, is_deleted: uInt8() },
        engine: replacingMergeTree({ orderBy, version: 'version', isDeleted: 'is_deleted' }),
        source: { table, primaryKey: ['tenant', 'id'] },
      }),
  },
  {
    engine: 'CollapsingMergeTree',
    make: (table: string, orderBy: ('tenant' | 'id')[]) =>
      defineModel({
        importKey: table,
        table,
        fields: { ...fields, sign: int8() },
        engine: collapsingMergeTree({ orderBy, sign: 'sign', version: 'version' }),
        source: { table, primaryKey: ['tenant', 'id'] },
      }),
  },
  {
    engine: 'VersionedCollapsingMergeTree',
    make: (table: string, orderBy: ('tenant' | 'id')[]) =>
      defineModel({
        importKey: table,
        table,
        fields: { ...fields, sign: int8() },
        engine: versionedCollapsingMergeTree({ orderBy, sign: 'sign', version: 'version' }),
        source: { table, primaryKey: ['tenant', 'id'] },
      }),
  },
]

let seq = 1
function round(kind: 'insert' | 'update' | 'delete', rows: SourceRow[]): Round {
  return {
    operations: rows.map((row) => ({ kind, key: JSON.stringify([String(row.tenant), String(row.id)]), seq: seq++ })),
    rows: new Map(
      kind === 'delete' ? [] : rows.map((row) => [JSON.stringify([String(row.tenant), String(row.id)]), row]),
    ),
  }
}

describe('keyset pages on embedded chDB 26.x', () => {
  const scratch = scratchDatabase(clickhouseEmbedded, 'chsync_bulk_pages')

  async function create(model: Model): Promise<void> {
    const { sql, settings } = createTableStatement(model, await probeCapabilities(scratch.admin), scratch.database)
    await scratch.db.client.command({ query: sql, clickhouse_settings: settings })
  }

  /** The current state as one query answers it, without pages: the reference. */
  async function oneShot(model: Model): Promise<string[]> {
    const query = currentStateQuery(scratch.db, model, { columns: ['tenant', 'id', 'name'], bind: false })
    const result = await scratch.db.client.query({
      query: query.sql,
      format: 'JSONEachRow',
      clickhouse_settings: query.settings,
    })
    const rows = await result.json<{ tenant: number; id: string; name: string }>()
    return rows.map((row) => `${row.tenant}/${row.id}=${row.name}`).sort()
  }

  async function paged(model: Model): Promise<string[]> {
    const out: string[] = []
    for await (const batch of readModel(scratch.db, model, {
      columns: ['tenant', 'id', 'name'],
      pageBytes: PAGE_BYTES,
    }))
      for (const row of batch as { tenant: number; id: bigint; name: string }[])
        out.push(`${row.tenant}/${row.id}=${row.name}`)
    return out
  }

  /**
   * 3 tenants × 60 ids (unique across tenants, so `id` alone is a key too), then updates of a third,
   * deletes of a fifth (where the engine deletes).
   */
  async function fill(model: Model): Promise<void> {
    const q = scratch.capabilities.queryParameters
    const keys = [1, 2, 3].flatMap((tenant) =>
      Array.from({ length: 60 }, (_, index) => ({ tenant, id: tenant * 1000 + index + 1 })),
    )
    await writeRound(
      scratch.db,
      model,
      round(
        'insert',
        keys.map((key) => ({ ...key, name: 'v1' })),
      ),
      q,
    )
    await writeRound(
      scratch.db,
      model,
      round(
        'update',
        keys.filter(({ id }) => id % 3 === 0).map((key) => ({ ...key, name: 'v2' })),
      ),
      q,
    )
    if (model.deletes !== 'ignore')
      await writeRound(
        scratch.db,
        model,
        round(
          'delete',
          keys.filter(({ id }) => id % 5 === 0),
        ),
        q,
      )
  }

  it.each(engines)(
    'reads exactly the one-shot current state on $engine, keys (tenant, id), (id, tenant) and (id)',
    async ({ make }) => {
      for (const orderBy of [['tenant', 'id'], ['id', 'tenant'], ['id']] as ('tenant' | 'id')[][]) {
        const model = make(`pages_${seq}`, orderBy)
        await create(model)
        await fill(model)
        const reference = await oneShot(model)
        expect(reference.length).toBe(model.deletes === 'ignore' ? 180 : 144)
        const rows = await paged(model)
        // Sorting-key order, one row per key: the pages are disjoint and cover the state.
        expect(rows.slice().sort()).toEqual(reference)
        const { rows: count, columns } = await readModelColumns(scratch.db, model, {
          columns: ['id', 'name'],
          pageBytes: PAGE_BYTES,
        })
        expect(count).toBe(reference.length)
        expect(columns.name.filter((name) => name === 'v2').length).toBe(
          reference.filter((row) => row.endsWith('=v2')).length,
        )
      }
    },
  )

  /**
   * Inserts every (tenant, id) key twice, in two parts, `version` 1 then 2 (distinct blocks: an
   * identical second insert would be deduplicated): rows a merge (or FINAL) would fold.
   */
  async function insertTwice(model: Model): Promise<void> {
    for (const version of [1, 2])
      await scratch.db.client.insert({
        table: qualifiedTable(scratch.db.database, model.table),
        values: [1, 2, 3].flatMap((tenant) =>
          Array.from({ length: 60 }, (_, index) => ({ tenant, id: index + 1, name: 'n', version })),
        ),
        format: 'JSONEachRow',
      })
  }

  it('reads exactly the one-shot current state on SummingMergeTree (sums of both parts)', async () => {
    const table = `pages_${seq++}`
    const model = defineModel({
      importKey: table,
      table,
      fields,
      engine: summingMergeTree({ orderBy: ['tenant', 'id'], columns: ['version'] }),
      source: { table, primaryKey: ['tenant', 'id'] },
      deletes: 'ignore',
    })
    await create(model)
    await insertTwice(model)
    const reference = await oneShot(model)
    expect(reference.length).toBe(180)
    expect((await paged(model)).slice().sort()).toEqual(reference)
    const { rows, columns } = await readModelColumns(scratch.db, model, { columns: ['version'], pageBytes: PAGE_BYTES })
    expect(rows).toBe(180)
    expect([...(columns.version as unknown as BigUint64Array)].every((sum) => sum === 3n)).toBe(true)
  })

  it('reads a plain MergeTree in one answer: rows sharing a key are all kept (a key boundary would skip some)', async () => {
    const table = `pages_${seq++}`
    const model = defineModel({
      importKey: table,
      table,
      fields,
      engine: mergeTree({ orderBy: ['tenant', 'id'] }),
      source: { table, primaryKey: ['tenant', 'id'] },
      deletes: 'ignore',
    })
    await create(model)
    await insertTwice(model)
    const { rows, columns } = await readModelColumns(scratch.db, model, {
      columns: ['id', 'version'],
      pageBytes: PAGE_BYTES,
    })
    expect(rows).toBe(360)
    const versions = [...(columns.version as unknown as BigUint64Array)]
    expect(versions.filter((version) => version === 1n).length).toBe(180)
  })

  it('never returns a key twice, nor loses one, while rounds keep writing new versions', async () => {
    const model = engines[2]!.make(`pages_live_${seq}`, ['tenant', 'id'])
    await create(model)
    const q = scratch.capabilities.queryParameters
    const keys = Array.from({ length: 150 }, (_, index) => ({ tenant: 1 + (index % 2), id: index + 1 }))
    await writeRound(
      scratch.db,
      model,
      round(
        'insert',
        keys.map((key) => ({ ...key, name: 'v0' })),
      ),
      q,
    )
    let writing = true
    const writer = (async () => {
      for (let version = 1; writing && version <= 200; version++)
        await writeRound(
          scratch.db,
          model,
          round(
            'update',
            keys.filter(({ id }) => id % 2 === version % 2).map((key) => ({ ...key, name: `v${version}` })),
          ),
          q,
        )
    })()
    try {
      for (let reads = 0; reads < 5; reads++) {
        const rows = await paged(model)
        const ids = rows.map((row) => row.split('=')[0])
        expect(new Set(ids).size).toBe(keys.length)
        expect(ids.length).toBe(keys.length)
      }
    } finally {
      writing = false
      await writer
    }
  })
})
