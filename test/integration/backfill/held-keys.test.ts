import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { excludeKeysSql } from '../../../src/backfill/held-keys.js'
import { keySql } from '../../../src/source/keys.js'
import { postgresPool } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

/** The exclusion a collapsing copy pastes into its COPY: escaped so that any key text leaves out exactly that key. */
describe('excludeKeysSql against PostgreSQL', () => {
  const pool = postgresPool()
  const table = uniqueName('exclude')
  const names = ['plain', "it's", 'a "quoted" one', 'back\\slash', '{braces}', 'comma,here', 'NULL', '', 'tab\there']

  beforeAll(async () => {
    await pool.query(`CREATE TABLE "${table}" (name text, n int, PRIMARY KEY (name, n))`)
    await pool.query(`INSERT INTO "${table}" SELECT name, n FROM unnest($1::text[]) name, generate_series(1, 2) n`, [
      names,
    ])
  })
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool.end()
  })

  it.each([
    { name: 'a one-column key', primaryKey: ['name'] },
    { name: 'a composite key', primaryKey: ['name', 'n'] },
  ])('leaves out exactly the given keys for $name', async ({ primaryKey }) => {
    const source = { table, primaryKey }
    const all = await pool.query<{ key: string }>(`SELECT DISTINCT ${keySql(primaryKey, 't')} AS key FROM "${table}" t`)
    const keys = all.rows.map((row) => row.key)
    const excluded = keys.filter((_, index) => index % 2 === 0)
    const { rows } = await pool.query<{ key: string }>(
      `SELECT DISTINCT ${keySql(primaryKey, 't')} AS key FROM "${table}" t WHERE TRUE${excludeKeysSql(source, excluded)}`,
    )
    expect(rows.map((row) => row.key).sort()).toEqual(keys.filter((key) => !excluded.includes(key)).sort())
  })
})
