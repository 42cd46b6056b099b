import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openClickHouse, qualifiedTable, quoteIdentifier } from '../../../src/clickhouse/index.js'
import { ConfigError } from '../../../src/errors.js'
import { clickhouseEmbedded } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'

describe('embedded ClickHouse (chDB)', () => {
  const database = uniqueName('chsync_smoke')
  const ch = clickhouseEmbedded(database)
  const table = qualifiedTable(database, 'users')

  beforeAll(async () => {
    await ch.client.command({ query: `CREATE DATABASE ${quoteIdentifier(database)}` })
    await ch.client.command({
      query: `CREATE TABLE ${table} (id UInt64, name String, version UInt64, is_deleted UInt8)
              ENGINE = ReplacingMergeTree(version, is_deleted) ORDER BY id
              SETTINGS non_replicated_deduplication_window = 1000`,
    })
  })
  afterAll(async () => {
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await ch.client.close()
  })

  it('keeps the latest version per key and drops tombstones with FINAL', async () => {
    await ch.client.insert({
      table,
      values: [
        { id: 1, name: 'a', version: 1, is_deleted: 0 },
        { id: 1, name: 'b', version: 2, is_deleted: 0 },
        { id: 2, name: 'c', version: 1, is_deleted: 0 },
        { id: 2, name: 'c', version: 2, is_deleted: 1 },
      ],
      format: 'JSONEachRow',
    })
    const rows = await (
      await ch.client.query({ query: `SELECT id, name FROM ${table} FINAL ORDER BY id`, format: 'JSONEachRow' })
    ).json()
    expect(rows).toEqual([{ id: '1', name: 'b' }])
  })

  it('drops a repeated insert with the same deduplication token', async () => {
    const values = [{ id: 10, name: 'x', version: 1, is_deleted: 0 }]
    const settings = { insert_deduplication_token: `${database}:batch-1` }
    await ch.client.insert({ table, values, format: 'JSONEachRow', clickhouse_settings: settings })
    await ch.client.insert({ table, values, format: 'JSONEachRow', clickhouse_settings: settings })
    const rows = await (
      await ch.client.query({ query: `SELECT count() AS n FROM ${table} WHERE id = 10`, format: 'JSONEachRow' })
    ).json()
    expect(rows).toEqual([{ n: '1' }])
  })

  it('refuses a second data directory in the same process with a clear error', () => {
    expect(() => openClickHouse({ url: 'chdb:///tmp/chsync-another-directory' })).toThrow(ConfigError)
    expect(() => openClickHouse({ url: 'chdb:///tmp/chsync-another-directory' })).toThrow(/one embedded data directory/)
  })
})
