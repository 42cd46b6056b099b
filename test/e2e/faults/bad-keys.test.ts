import { afterAll, beforeAll, describe, expect } from 'vitest'
import { escapeIdentifier } from 'pg'
import type pg from 'pg'
import { quoteIdentifier } from '../../../src/clickhouse/index.js'
import { defineModel, int32, replacingMergeTree, string, uInt64, uInt8 } from '../../../src/models/index.js'
import { encodeKey } from '../../../src/source/keys.js'
import { resumeSignal, statusQuery } from '../../../workflows/messages.js'
import { clickhouseEmbedded, postgresPool } from '../../utils/clients.js'
import { writeUsersConfig } from '../../utils/config-file.js'
import { createTables } from '../../utils/e2e.js'
import { faultScenario, verifySync } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { SyncHarness } from '../../utils/sync-harness.js'
import { usersModel, usersSourceDDL } from '../../utils/users-model.js'

/**
 * Keys that are not keys of their table — registered by raw storage calls, a client that bypassed
 * `encodeKey`, or a key column whose type changed after registration. Each is parked as a dead letter
 * with its reason; the rest of its batch syncs and the model never blocks. Embedded ClickHouse 26.x.
 */
const group = 'Bad input'

describe('bad keys in a batch', () => {
  const database = uniqueName('chsync_badkeys')
  const ch = clickhouseEmbedded()
  const usersKey = uniqueName('badkey')
  const users = usersModel({ importKey: usersKey, table: 'users', sourceTable: usersKey })
  const pairsKey = uniqueName('badpair')
  const pairs = defineModel({
    importKey: pairsKey,
    table: 'pairs',
    fields: { a: int32(), b: int32(), score: int32(), version: uInt64(), is_deleted: uInt8() },
    engine: replacingMergeTree({ orderBy: ['a', 'b'], version: 'version', isDeleted: 'is_deleted' }),
    source: { table: pairsKey, primaryKey: ['a', 'b'] },
    sync: { syncDelayMs: 60_000, batchSize: 100 },
  })
  // No is_deleted and no `deletes` setting: a delete cannot be expressed, and blocks its batch.
  const stuckKey = uniqueName('stuck')
  const stuck = defineModel({
    importKey: stuckKey,
    table: 'stuck',
    fields: { id: uInt64(), name: string(), score: int32(), version: uInt64() },
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    source: { table: stuckKey, primaryKey: ['id'] },
    sync: { syncDelayMs: 60_000, batchSize: 100 },
  })
  let pool: pg.Pool
  let harness: SyncHarness

  beforeAll(async () => {
    pool = postgresPool()
    await pool.query(usersSourceDDL(usersKey))
    await pool.query(usersSourceDDL(stuckKey))
    await pool.query(
      `CREATE TABLE ${escapeIdentifier(pairsKey)} (a int, b int, score int NOT NULL, PRIMARY KEY (a, b))`,
    )
    await createTables(ch, database, [users, pairs, stuck])
    harness = new SyncHarness(ch, { default: database }, [users, pairs, stuck])
    await harness.start()
  })

  afterAll(async () => {
    await harness?.stop()
    for (const table of [usersKey, pairsKey, stuckKey])
      await pool?.query(`DROP TABLE IF EXISTS ${escapeIdentifier(table)}`)
    await pool?.end()
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await ch.client.close()
  })

  faultScenario(
    {
      group,
      scenario: 'A key not valid for its column type is parked; the rest of the batch syncs',
      injected: "raw registration of 'abc' and '1e3' for a bigint key beside 20 good keys, in one batch",
      expectedDeadLetters: 2,
    },
    async () => {
      const handle = await harness.sync(usersKey)
      await pool.query(`INSERT INTO "${usersKey}" SELECT g, 'u' || g, g FROM generate_series(1, 20) g`)
      const storage = harness.storage(usersKey)
      const good = Array.from({ length: 20 }, (_, i) => String(i + 1))
      await storage.registerOperations(usersKey, 'update', [...good.slice(0, 10), 'abc', ...good.slice(10), '1e3'])
      expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })

      const status = await handle.query(statusQuery)
      expect(status.state).not.toBe('blocked')
      const parked = await storage.deadLetters(usersKey)
      expect(parked.map((letter) => letter.operation.key).sort()).toEqual(['1e3', 'abc'])
      expect(parked[0]?.error).toMatch(/not a valid primary key of .*bigint/)
      return await verifySync({
        pool,
        sourceTable: usersKey,
        ch,
        database,
        table: 'users',
        columns: ['name', 'score'],
        engine: 'replacing',
        storage,
        importKey: usersKey,
      })
    },
  )

  faultScenario(
    {
      group,
      scenario: 'A malformed composite key is parked; the rest of the batch syncs',
      injected: 'raw registration of a non-JSON key, a one-part key and a non-integer part beside 10 good (a, b) keys',
      expectedDeadLetters: 3,
    },
    async () => {
      const handle = await harness.sync(pairsKey)
      await pool.query(`INSERT INTO "${pairsKey}" SELECT g, g * 2, g FROM generate_series(1, 10) g`)
      const storage = harness.storage(pairsKey)
      const good = Array.from({ length: 10 }, (_, i) => encodeKey([i + 1, (i + 1) * 2]))
      const bad = ['1,2', JSON.stringify(['1']), JSON.stringify(['x', '2'])]
      await storage.registerOperations(pairsKey, 'insert', [...good.slice(0, 5), ...bad, ...good.slice(5)])
      expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })

      const parked = await storage.deadLetters(pairsKey)
      expect(parked.map((letter) => letter.operation.key).sort()).toEqual([...bad].sort())
      return await verifySync({
        pool,
        sourceTable: pairsKey,
        ch,
        database,
        table: 'pairs',
        columns: ['score'],
        engine: 'replacing',
        storage,
        importKey: pairsKey,
        naming: { key: { source: ['a', 'b'], target: ['a', 'b'] } },
      })
    },
  )

  faultScenario(
    {
      group,
      scenario:
        'A model blocked on one operation gets past it with chsync skip; the operation is kept as a dead letter',
      injected: 'a delete a ReplacingMergeTree without is_deleted cannot express, among 10 inserts; skip, resume',
      expectedDeadLetters: 1,
    },
    async () => {
      const handle = await harness.sync(stuckKey)
      await pool.query(`INSERT INTO "${stuckKey}" SELECT g, 'u' || g, g FROM generate_series(1, 10) g`)
      const storage = harness.storage(stuckKey)
      await storage.registerOperations(stuckKey, 'insert', ['1', '2', '3', '4', '5'])
      await storage.registerOperations(stuckKey, 'delete', ['11'])
      await storage.registerOperations(stuckKey, 'insert', ['6', '7', '8', '9', '10'])
      await harness.flush(handle, 1_000).catch(() => undefined)
      const blocked = await harness.until(handle, (status) => status.state === 'blocked')
      expect(blocked.blocked?.message).toMatch(/delete of key 11/)

      const config = writeUsersConfig({ sourceTable: stuckKey, importKey: stuckKey })
      const chsync = async (...args: string[]) => (await config.chsync(...args, '--config', config.file)).stdout
      expect(await chsync('skip', stuckKey, '11', '12', '--reason', 'a delete this table cannot express')).toBe(
        `${stuckKey}: 1 operation(s) skipped into dead letters (1 key(s) had nothing waiting)\n`,
      )
      expect(await chsync('dead-letters', stuckKey)).toMatch(
        / delete 11 \(seq \d+\): a delete this table cannot express\n$/,
      )
      await handle.signal(resumeSignal)
      expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })
      return await verifySync({
        pool,
        sourceTable: stuckKey,
        ch,
        database,
        table: 'stuck',
        columns: ['name', 'score'],
        engine: 'replacing',
        storage,
        importKey: stuckKey,
      })
    },
  )
})
