import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { planRanges, type PlanProgress } from '../../../src/backfill/plan-ranges.js'
import { rangeConditionSql, type BackfillRange } from '../../../src/backfill/range.js'
import { describeSourceTable } from '../../../src/source/describe.js'
import { keySql } from '../../../src/source/keys.js'
import type { SourceTable } from '../../../src/source/source-table.js'
import { postgresPool } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

const pool = postgresPool()

/** How often each key of the table falls in one of the ranges: every key exactly once when covered. */
async function coverage(source: SourceTable, ranges: BackfillRange[]): Promise<Map<string, number>> {
  const { primaryKey } = await describeSourceTable(pool, source)
  const where = source.where ? ` AND (${source.where})` : ''
  const seen = new Map<string, number>()
  for (const range of ranges) {
    const { rows } = await pool.query<{ key: string }>(
      `SELECT ${keySql(source.primaryKey, 't')} AS key FROM "${source.table}" t WHERE ${rangeConditionSql(range, primaryKey, 't')}${where}`,
    )
    for (const { key } of rows) seen.set(key, (seen.get(key) ?? 0) + 1)
  }
  return seen
}

async function allKeys(source: SourceTable): Promise<string[]> {
  const where = source.where ? ` WHERE ${source.where}` : ''
  const { rows } = await pool.query<{ key: string }>(
    `SELECT ${keySql(source.primaryKey, 't')} AS key FROM "${source.table}" t${where}`,
  )
  return rows.map((row) => row.key)
}

const noProgress = () => undefined

describe('planRanges', () => {
  const tables = {
    int: uniqueName('plan_int'),
    composite: uniqueName('plan_comp'),
    uuid: uniqueName('plan_uuid'),
    unindexed: uniqueName('plan_noidx'),
    empty: uniqueName('plan_empty'),
  }

  beforeAll(async () => {
    await pool.query(`CREATE TABLE "${tables.int}" (id bigint PRIMARY KEY, flag boolean NOT NULL)`)
    await pool.query(`INSERT INTO "${tables.int}" SELECT g, g % 3 = 0 FROM generate_series(1, 10500) g`)
    await pool.query(`CREATE TABLE "${tables.composite}" (region text, n int, PRIMARY KEY (region, n))`)
    await pool.query(
      `INSERT INTO "${tables.composite}" SELECT r, g FROM unnest(ARRAY['eu', 'us', 'it''s', 'ü "q"']) r, generate_series(1, 1300) g`,
    )
    await pool.query(`CREATE TABLE "${tables.uuid}" (id uuid PRIMARY KEY)`)
    await pool.query(`INSERT INTO "${tables.uuid}" SELECT gen_random_uuid() FROM generate_series(1, 4321)`)
    await pool.query(`CREATE TABLE "${tables.unindexed}" (id bigint NOT NULL, payload text)`)
    await pool.query(`INSERT INTO "${tables.unindexed}" SELECT g, repeat('x', 50) FROM generate_series(1, 5000) g`)
    await pool.query(`ANALYZE "${tables.unindexed}"`)
    await pool.query(`CREATE TABLE "${tables.empty}" (id bigint PRIMARY KEY)`)
  })
  afterAll(async () => {
    for (const table of Object.values(tables)) await pool.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool.end()
  })

  it.each([
    { name: 'a bigint key', table: () => tables.int, primaryKey: ['id'], expected: 11 },
    { name: 'a composite (text, int) key', table: () => tables.composite, primaryKey: ['region', 'n'], expected: 6 },
    { name: 'a uuid key', table: () => tables.uuid, primaryKey: ['id'], expected: 5 },
  ])('cuts $name into keyset ranges that hold every row exactly once', async ({ table, primaryKey, expected }) => {
    const source = { table: table(), primaryKey }
    const plan = await planRanges(pool, source, 1000, undefined, noProgress)
    expect(plan.method).toBe('key')
    expect(plan.ranges).toHaveLength(expected)
    expect(plan.ranges[0]).toMatchObject({ after: null })
    expect(plan.ranges.at(-1)).toMatchObject({ upTo: null })
    const seen = await coverage(source, plan.ranges)
    const keys = await allKeys(source)
    expect(seen.size).toBe(keys.length)
    expect([...seen.values()].every((count) => count === 1)).toBe(true)
  })

  it('falls back to ctid page ranges when no index starts with the key, still covering every row once', async () => {
    const source = { table: tables.unindexed, primaryKey: ['id'] }
    const plan = await planRanges(pool, source, 1000, undefined, noProgress)
    expect(plan.method).toBe('ctid')
    expect(plan.ranges.length).toBeGreaterThan(2)
    expect(plan.ranges.at(-1)).toMatchObject({ toPage: null })
    const seen = await coverage(source, plan.ranges)
    expect(seen.size).toBe(5000)
    expect([...seen.values()].every((count) => count === 1)).toBe(true)
  })

  it('plans one open range for an empty table', async () => {
    const plan = await planRanges(pool, { table: tables.empty, primaryKey: ['id'] }, 1000, undefined, noProgress)
    expect(plan.ranges).toEqual([{ kind: 'key', index: 0, after: null, upTo: null }])
  })

  it("sizes ranges by the rows the model's where selects", async () => {
    const source = { table: tables.int, primaryKey: ['id'], where: 'flag' }
    const plan = await planRanges(pool, source, 1000, undefined, noProgress)
    // 3500 rows pass the filter: three full ranges and the open rest.
    expect(plan.ranges).toHaveLength(4)
    const seen = await coverage(source, plan.ranges)
    expect(seen.size).toBe(3500)
  })

  it('resumes an interrupted walk from its reported bounds and reaches the same plan', async () => {
    const source = { table: tables.int, primaryKey: ['id'] }
    const reported: PlanProgress[] = []
    const whole = await planRanges(pool, source, 1000, undefined, (state) =>
      reported.push({ bounds: [...state.bounds] }),
    )
    const resumed = await planRanges(pool, source, 1000, reported[3], noProgress)
    expect(resumed).toEqual(whole)
  })
})
