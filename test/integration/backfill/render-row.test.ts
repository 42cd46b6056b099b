import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderBackfillRow } from '../../../src/backfill/render-row.js'
import { ConfigError } from '../../../src/errors.js'
import {
  collapsingMergeTree,
  defineModel,
  int8,
  replacingMergeTree,
  string,
  uInt64,
  uInt8,
} from '../../../src/models/index.js'
import { describeSourceTable } from '../../../src/source/describe.js'
import { postgresPool } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

/** The backfilled row as PostgreSQL prints it: the version rule's columns, field by field. */
describe('renderBackfillRow against PostgreSQL', () => {
  const pool = postgresPool()
  const table = uniqueName('bf_render')
  const source = { table, primaryKey: ['id'] }

  beforeAll(async () => {
    await pool.query(`CREATE TABLE "${table}" (id bigint PRIMARY KEY, name text NOT NULL, updated_seq bigint NOT NULL)`)
    await pool.query(`INSERT INTO "${table}" VALUES (7, 'tab\there', 123456)`)
  })
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool.end()
  })

  async function line(model: Parameters<typeof renderBackfillRow>[0]): Promise<Record<string, string>> {
    const row = renderBackfillRow(model, await describeSourceTable(pool, source), 't')
    const { rows } = await pool.query<{ line: string }>(`SELECT ${row.line} AS line FROM "${table}" t`)
    const fields = (rows[0]?.line ?? '').replace(/\n$/, '').split('\t')
    return Object.fromEntries(row.columns.map((column, index) => [column, fields[index] as string]))
  }

  it.each([
    {
      name: 'version 0 and is_deleted 0 on a ReplacingMergeTree by sequence',
      model: defineModel({
        importKey: 'r',
        table: 'r',
        fields: { id: uInt64(), name: string(), version: uInt64(), is_deleted: uInt8() },
        engine: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'is_deleted' }),
        source,
      }),
      expected: { id: '7', name: 'tab\\there', version: '0', is_deleted: '0' },
    },
    {
      name: "the model's source version column where it names one",
      model: defineModel({
        importKey: 's',
        table: 's',
        fields: { id: uInt64(), name: string(), version: uInt64() },
        engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
        source,
        version: { column: 'updated_seq' },
        deletes: 'ignore',
      }),
      expected: { id: '7', name: 'tab\\there', version: '123456' },
    },
    {
      name: 'sign +1 and version 0 on a collapsing engine',
      model: defineModel({
        importKey: 'c',
        table: 'c',
        fields: { id: uInt64(), name: string(), version: uInt64(), sign: int8() },
        engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
        source,
      }),
      expected: { id: '7', name: 'tab\\there', version: '0', sign: '1' },
    },
  ])('prints $name', async ({ model, expected }) => {
    expect(await line(model)).toEqual(expected)
  })

  it('refuses a column computed in JavaScript with a ConfigError naming it', async () => {
    const model = defineModel({
      importKey: 'j',
      table: 'j',
      fields: { id: uInt64(), name: string(), version: uInt64() },
      engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
      source,
      columns: { name: (row) => String(row.name).toUpperCase() },
      deletes: 'ignore',
    })
    const description = await describeSourceTable(pool, source)
    expect(() => renderBackfillRow(model, description, 't')).toThrow(ConfigError)
    expect(() => renderBackfillRow(model, description, 't')).toThrow(/name/)
  })
})
