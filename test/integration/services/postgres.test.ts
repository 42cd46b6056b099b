import { afterAll, describe, expect, it } from 'vitest'
import { postgresPool } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

describe('PostgreSQL service', () => {
  const pool = postgresPool()
  afterAll(() => pool.end())

  it('answers a query over TCP with password authentication', async () => {
    const { rows } = await pool.query<{ version: string }>('SELECT version() AS version')
    expect(rows[0]?.version).toMatch(/^PostgreSQL \d+/)
  })

  it('round-trips rows through a table', async () => {
    const table = uniqueName('smoke')
    await pool.query(`CREATE TABLE "${table}" (id bigint PRIMARY KEY, name text)`)
    try {
      await pool.query(`INSERT INTO "${table}" VALUES ($1, $2), ($3, $4)`, [1, 'a', 2, "it's"])
      const { rows } = await pool.query(`SELECT id::int AS id, name FROM "${table}" ORDER BY id`)
      expect(rows).toEqual([
        { id: 1, name: 'a' },
        { id: 2, name: "it's" },
      ])
    } finally {
      await pool.query(`DROP TABLE "${table}"`)
    }
  })
})
