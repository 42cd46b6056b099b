import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { qualifiedTable, quoteIdentifier } from '../../../src/clickhouse/index.js'
import { clickhouseServer } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

describe('ClickHouse server over HTTP', () => {
  const database = uniqueName('chsync_smoke')
  const admin = clickhouseServer()
  const ch = clickhouseServer(database)

  beforeAll(async () => {
    await admin.client.command({ query: `CREATE DATABASE ${quoteIdentifier(database)}` })
  })
  afterAll(async () => {
    await admin.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await Promise.all([admin.client.close(), ch.client.close()])
  })

  it('inserts JSONEachRow rows and selects them back', async () => {
    const table = qualifiedTable(database, 'users')
    await ch.client.command({
      query: `CREATE TABLE ${table} (id UInt64, name String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY id`,
    })
    await ch.client.insert({
      table,
      values: [
        { id: 1, name: 'a', version: 1 },
        { id: 1, name: 'b', version: 2 },
        { id: 2, name: "it's", version: 1 },
      ],
      format: 'JSONEachRow',
    })
    const rows = await (
      await ch.client.query({ query: `SELECT id, name FROM ${table} FINAL ORDER BY id`, format: 'JSONEachRow' })
    ).json()
    expect(rows).toEqual([
      { id: '1', name: 'b' },
      { id: '2', name: "it's" },
    ])
  })
})
