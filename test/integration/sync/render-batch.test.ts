import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { probeCapabilities, qualifiedTable, quoteIdentifier } from '../../../src/clickhouse/index.js'
import { parseConfig } from '../../../src/config/load-config.js'
import { ConfigError } from '../../../src/errors.js'
import { createTableStatement } from '../../../src/models/ddl.js'
import { defineModel } from '../../../src/models/define-model.js'
import { mergeTree, replacingMergeTree } from '../../../src/models/engines/index.js'
import * as f from '../../../src/models/fields/index.js'
import type { Model } from '../../../src/models/model.js'
import { openSyncRuntime } from '../../../src/sync/open-runtime.js'
import type { SyncRuntime } from '../../../src/sync/runtime.js'
import * as steps from '../../../src/sync/steps.js'
import type { Claim } from '../../../src/storages/storage.js'
import { everyTypeFields, everyTypeSource } from '../../fixtures/models/every-type.js'
import { clickhouseEmbedded, clickhouseServer } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'
import { requireEnv } from '../../utils/services-env.js'

/**
 * The equivalence the issue asks for: the same models over every field type, synced through whole
 * rounds (claim, fetch and serialize, insert, postSync) once with rows PostgreSQL renders and once
 * with the JS serializer, give identical ClickHouse tables — inserts, updates, deletes (tombstones
 * where the engine has is_deleted, ignored otherwise) and updates whose row is gone. The JS twin of
 * each model differs only by a computed column that returns the source value, which keeps it on the
 * JS path. Versions differ (each import key has its own sequences), so they are compared by order.
 */
describe.each([
  { target: 'ClickHouse server 18.16', open: clickhouseServer, newer: false },
  { target: 'embedded ClickHouse 26.x', open: clickhouseEmbedded, newer: true },
])('a round rendered by PostgreSQL, on $target', ({ open, newer }) => {
  const database = uniqueName('chsync_rendered')
  const sourceTable = uniqueName('rendered_src')
  const admin = open()
  const pool = new pg.Pool({ connectionString: requireEnv('CHSYNC_POSTGRES_URL'), max: 2 })
  const count = 300
  const fields = { ...everyTypeFields(newer), version: f.uInt64(), deleted: f.uInt8().default(0) }
  const engines = {
    replacing: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    // ReplacingMergeTree(version, is_deleted) needs ClickHouse ≥ 23.2.
    ...(newer ? { tombstones: replacingMergeTree({ orderBy: ['id'], version: 'version', isDeleted: 'deleted' }) } : {}),
  }
  const twin = (name: string, engine: Model['engine'], js: boolean): Model =>
    defineModel({
      importKey: `${database}_${name}_${js ? 'js' : 'sql'}`,
      table: `${name}_${js ? 'js' : 'sql'}`,
      fields,
      engine: engine as never,
      source: { table: sourceTable, primaryKey: ['id'] },
      columns: { renamed: 'src_name', ...(js ? { s: (row: Record<string, unknown>) => row.s as string } : {}) },
      ...(engine.kind === 'ReplacingMergeTree' && engine.isDeleted ? {} : { deletes: 'ignore' as const }),
      sync: { batchSize: 128, chunkRows: 50 },
    })
  const pairs = Object.entries(engines).map(([name, engine]) => ({
    sql: twin(name, engine, false),
    js: twin(name, engine, true),
  }))
  const refusing = defineModel({
    importKey: `${database}_refusing`,
    table: 'refusing',
    fields: { id: f.uInt64(), s: f.string() },
    engine: mergeTree({ orderBy: ['id'] }),
    source: { table: sourceTable, primaryKey: ['id'] },
  })
  const models = [...pairs.flatMap((pair) => [pair.sql, pair.js]), refusing]
  let runtime: SyncRuntime

  beforeAll(async () => {
    await admin.client.command({ query: `CREATE DATABASE ${quoteIdentifier(database)}` })
    const sql = everyTypeSource(sourceTable, newer)
    await pool.query(sql.create)
    await pool.query(sql.insert, [count])
    const capabilities = await probeCapabilities(admin)
    for (const model of models) {
      const statement = createTableStatement(model, capabilities, database)
      await admin.client.command({ query: statement.sql, clickhouse_settings: statement.settings })
    }
    const url = admin.displayUrl.slice(0, admin.displayUrl.lastIndexOf('/'))
    const config = parseConfig(
      {
        databases: { default: { url, database } },
        postgres: { url: requireEnv('CHSYNC_POSTGRES_URL') },
        redis: { url: requireEnv('CHSYNC_REDIS_URL') },
        temporal: { address: requireEnv('CHSYNC_TEMPORAL_ADDRESS'), taskQueue: uniqueName('unused') },
        models,
      },
      { env: {} },
    )
    runtime = await openSyncRuntime(config)
  })
  afterAll(async () => {
    await runtime?.close()
    await admin.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await admin.client.close()
    await pool.query(`DROP TABLE IF EXISTS ${sourceTable}`)
    await pool.end()
  })

  async function register(kind: 'insert' | 'update' | 'delete', keys: string[]) {
    for (const model of pairs.flatMap((pair) => [pair.sql, pair.js]))
      await runtime.unit(model.importKey).storage.registerOperations(model.importKey, kind, keys)
  }

  /** Rounds until the model's backlog is empty, as the workflow runs them. */
  async function drain(importKey: string) {
    for (;;) {
      const { claim } = await steps.preSync(runtime, importKey, 'render-test')
      if (!claim) return
      await steps.fetchAndSerialize(runtime, claim)
      await steps.insertBatch(runtime, claim, undefined, () => undefined)
      await steps.postSync(runtime, claim)
    }
  }

  async function table(name: string): Promise<Record<string, unknown>[]> {
    const result = await admin.client.query({
      query: `SELECT * FROM ${qualifiedTable(database, name)} ORDER BY id, version`,
      format: 'JSONEachRow',
    })
    const rows = await result.json<Record<string, unknown>>()
    // Each import key has its own sequences: versions compare by their order within a key.
    const ranks = new Map([...new Set(rows.map((row) => BigInt(row.version as string)))].sort().map((v, i) => [v, i]))
    return rows.map((row) => ({ ...row, version: ranks.get(BigInt(row.version as string)) }))
  }

  it('takes the SQL path exactly for the models it can render', async () => {
    for (const pair of pairs) {
      expect((await runtime.unit(pair.sql.importKey).renderPath()).path).toBe('sql')
      expect(await runtime.unit(pair.js.importKey).renderPath()).toMatchObject({
        path: 'js',
        reason: expect.stringContaining('computed in JavaScript') as string,
      })
    }
  })

  it('gives the tables the JS serializer gives, through inserts, updates and deletes', async () => {
    const keys = (ids: number[]) => ids.map(String)
    const all = Array.from({ length: count }, (_, i) => i + 1)
    await register('insert', keys(all))
    for (const pair of pairs) for (const model of [pair.sql, pair.js]) await drain(model.importKey)

    await pool.query(`UPDATE ${sourceTable} SET s = s || ' updated', i64 = i64 + 1 WHERE id % 7 = 0`)
    await pool.query(`DELETE FROM ${sourceTable} WHERE id % 11 = 0`)
    await register('update', keys(all.filter((id) => id % 7 === 0)))
    // Deletes, and updates whose row is gone (a delete by another name), and a key never seen.
    await register('delete', keys(all.filter((id) => id % 11 === 0 && id % 2 === 0)))
    await register('update', keys([...all.filter((id) => id % 11 === 0 && id % 2 === 1), count + 5]))
    // A delete whose row exists (registered after the re-insert it preceded): the row is written.
    await register('delete', keys(all.filter((id) => id % 13 === 0 && id % 11 !== 0)))
    for (const pair of pairs) for (const model of [pair.sql, pair.js]) await drain(model.importKey)

    for (const pair of pairs) {
      const expected = await table(pair.js.table)
      expect(expected.length).toBeGreaterThan(count)
      expect(await table(pair.sql.table)).toEqual(expected)
    }
    if (newer) {
      const tombstones = (await table('tombstones_sql')).filter((row) => row.deleted === 1)
      expect(tombstones.map((row) => Number(row.id))).toEqual([...all.filter((id) => id % 11 === 0), count + 5])
    }
  })

  it('refuses a delete on an engine that cannot express it, as the JS serializer does', async () => {
    expect((await runtime.unit(refusing.importKey).renderPath()).path).toBe('sql')
    // A key the source table lacks: a delete whose row exists would write the row (the source row decides).
    await runtime.unit(refusing.importKey).storage.registerOperations(refusing.importKey, 'delete', ['987654321'])
    const { claim } = await steps.preSync(runtime, refusing.importKey, 'render-test')
    const error = await steps.fetchAndSerialize(runtime, claim as Claim).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).message).toContain('cannot express a delete (use ReplacingMergeTree with isDeleted')
  })
})
