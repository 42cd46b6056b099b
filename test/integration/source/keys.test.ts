import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { escapeIdentifier } from 'pg'
import { encodeKey, keySql } from '../../../src/source/keys.js'
import { postgresPool } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

/** The rule the model layer relies on: Node and PostgreSQL encode every key to the same bytes. */
describe('key encoding against PostgreSQL', () => {
  const pool = postgresPool()
  const table = escapeIdentifier(uniqueName('keys'))
  const texts = [
    'plain',
    'a:b.c',
    `it's "quoted"`,
    'back\\slash \\"',
    'ünïcödé 日本 🎉',
    'tab\there\nnewline\r\u0001\u001f\u007f',
    '/slash/',
    'x'.repeat(5000),
    '',
  ]

  beforeAll(async () => {
    await pool.query(`CREATE TABLE ${table} (a text, b bigint, c timestamptz)`)
    await pool.query(
      `INSERT INTO ${table} SELECT a, 9007199254740993, '2024-02-29 12:34:56.789+00' FROM unnest($1::text[]) AS a`,
      [texts],
    )
  })
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${table}`)
    await pool.end()
  })

  it('encodes a single text column as PostgreSQL prints it', async () => {
    const { rows } = await pool.query<{ key: string; a: string }>(
      `SELECT ${keySql(['a'], 't')} AS key, a FROM ${table} t`,
    )
    expect(rows).toHaveLength(texts.length)
    for (const row of rows) expect(row.key).toBe(encodeKey([row.a]))
  })

  it('encodes composite keys exactly as to_json(ARRAY[...]) does', async () => {
    const { rows } = await pool.query<{ key: string; a: string; b: string; c: string }>(
      `SELECT ${keySql(['a', 'b', 'c'], 't')} AS key, a, b::text AS b, c::text AS c FROM ${table} t`,
    )
    expect(rows).toHaveLength(texts.length)
    for (const row of rows) expect(row.key).toBe(encodeKey([row.a, 9007199254740993n, row.c]))
  })
})
