import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { escapeIdentifier } from 'pg'
import { ConfigError } from '../../../src/errors.js'
import { describeSourceTable } from '../../../src/source/index.js'
import { postgresPool } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

describe('describeSourceTable', () => {
  const pool = postgresPool()
  const table = uniqueName('described')
  beforeAll(() => pool.query(`CREATE TABLE ${escapeIdentifier(table)} (id int PRIMARY KEY, name varchar(20) NOT NULL)`))
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${escapeIdentifier(table)}`)
    await pool.end()
  })

  it('lists columns with their types', async () => {
    const description = await describeSourceTable(pool, { table, primaryKey: ['id'] })
    expect(description.columns).toEqual([
      { name: 'id', type: 'integer', fullType: 'integer', nullable: false, category: 'N' },
      { name: 'name', type: 'character varying', fullType: 'character varying(20)', nullable: false, category: 'S' },
    ])
    expect(description.primaryKey.map((column) => column.name)).toEqual(['id'])
  })

  it.each([
    {
      name: 'a missing table',
      source: { table: 'no_such_table_at_all', primaryKey: ['id'] },
      context: { table: 'public.no_such_table_at_all' },
    },
    { name: 'a missing key column', source: { table, primaryKey: ['uuid'] }, context: { column: 'uuid' } },
  ])('throws ConfigError naming $name', async ({ source, context }) => {
    const error = await describeSourceTable(pool, source).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).context).toMatchObject(context)
  })
})
