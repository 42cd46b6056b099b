import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { escapeIdentifier } from 'pg'
import { PoisonRowError, SchemaMismatchError } from '../../../src/errors.js'
import { encodeKey, fetchRowsByKeys, type Queryable } from '../../../src/source/index.js'
import { postgresPool } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

describe('fetchRowsByKeys', () => {
  const pool = postgresPool()
  const schema = uniqueName('source')
  const q = escapeIdentifier(schema)
  const single = { schema, table: 'Users', primaryKey: ['id'] }
  const composite = { schema, table: 'order lines', primaryKey: ['order', 'line "no"'] }
  const odd = ['a:b', 'c.d', `it's`, 'ünï', 'back\\slash', '"quoted"', 'y'.repeat(3000)]

  beforeAll(async () => {
    await pool.query(`CREATE SCHEMA ${q}`)
    await pool.query(`CREATE TABLE ${q}."Users" (id bigint PRIMARY KEY, name text, active boolean)`)
    await pool.query(`INSERT INTO ${q}."Users" SELECT i, 'user ' || i, i % 2 = 0 FROM generate_series(1, 5000) i`)
    await pool.query(
      `CREATE TABLE ${q}."order lines" ("order" text, "line ""no""" int, qty int, PRIMARY KEY ("order", "line ""no"""))`,
    )
    await pool.query(
      `INSERT INTO ${q}."order lines" SELECT o, n, n * 10 FROM unnest($1::text[]) o, generate_series(1, 3) n`,
      [odd],
    )
  })
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${q} CASCADE`)
    await pool.end()
  })

  it('reads the rows of one-column keys in one query, keyed by their encoding', async () => {
    const keys = ['1', '2', '4999', '99999']
    const rows = await fetchRowsByKeys(pool, single, keys)
    expect([...rows.keys()].sort()).toEqual(['1', '2', '4999'])
    expect(rows.get('2')).toEqual({ id: '2', name: 'user 2', active: true })
  })

  it('reads thousands of keys with one query once the key types are known', async () => {
    const queries: string[] = []
    const counting: Queryable = {
      query: (text, values) => {
        queries.push(text)
        return pool.query(text, values)
      },
    }
    await fetchRowsByKeys(counting, single, ['1'])
    queries.length = 0
    const keys = Array.from({ length: 5000 }, (_, index) => String(index + 1))
    const rows = await fetchRowsByKeys(counting, single, keys)
    expect(rows.size).toBe(5000)
    expect(queries).toHaveLength(1)
  })

  it('reads composite keys with separators, quotes, unicode and backslashes', async () => {
    const keys = [...odd.map((order) => encodeKey([order, 2])), encodeKey(['missing', 1])]
    const rows = await fetchRowsByKeys(pool, composite, keys)
    expect(rows.size).toBe(odd.length)
    for (const order of odd) expect(rows.get(encodeKey([order, 2]))).toEqual({ order, 'line "no"': 2, qty: 20 })
  })

  it('applies the where condition', async () => {
    const rows = await fetchRowsByKeys(pool, { ...single, where: 'active' }, ['1', '2', '3', '4'])
    expect([...rows.keys()].sort()).toEqual(['2', '4'])
  })

  it.each([
    { name: 'not a number', source: single, keys: ['1', 'abc'] },
    { name: 'out of range', source: single, keys: ['99999999999999999999'] },
    { name: 'of the wrong type in a composite key', source: composite, keys: [encodeKey(['a:b', 'x'])] },
  ])('throws PoisonRowError for a key $name', async ({ source, keys }) => {
    await expect(fetchRowsByKeys(pool, source, keys)).rejects.toThrow(PoisonRowError)
  })

  it('throws SchemaMismatchError naming the table and the where condition when the condition is broken', async () => {
    const rows = fetchRowsByKeys(pool, { ...single, where: 'no_such_column > 0' }, ['1'])
    await expect(rows).rejects.toThrow(SchemaMismatchError)
    await expect(rows).rejects.toThrow(/Users.*no_such_column > 0.*column "no_such_column" does not exist/)
  })

  it('returns nothing for no keys', async () => {
    expect((await fetchRowsByKeys(pool, single, [])).size).toBe(0)
  })
})
