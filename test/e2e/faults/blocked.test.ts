import { afterAll, beforeAll, describe } from 'vitest'
import type pg from 'pg'
import { qualifiedTable, quoteIdentifier } from '../../../src/clickhouse/index.js'
import type { Model } from '../../../src/models/model.js'
import { clickhouseEmbedded, postgresPool } from '../../utils/clients.js'
import { createTables } from '../../utils/e2e.js'
import { faultScenario } from '../../utils/faults.js'
import { expectBlockedThenResumed } from '../../utils/blocked-model.js'
import { uniqueName } from '../../utils/names.js'
import { SyncHarness } from '../../utils/sync-harness.js'
import { usersModel, usersSourceDDL } from '../../utils/users-model.js'

/**
 * SRS028 "mismatched table structure" and a broken custom SQL expression: each blocks only its model
 * with an error naming the table and the column, keeps every operation, lets a healthy model sync
 * meanwhile, and finishes its backlog after the fix and `resume`. Embedded ClickHouse 26.x.
 */
const group = 'SRS028 failure modes'

describe('a model whose table or SQL no longer fits blocks alone', () => {
  const database = uniqueName('chsync_blocked')
  const ch = clickhouseEmbedded()
  const names = {
    dropped: uniqueName('dropped'),
    retyped: uniqueName('retyped'),
    typo: uniqueName('typo'),
    healthy: uniqueName('healthy'),
  }
  const model = (key: keyof typeof names, where?: string) =>
    usersModel({ importKey: names[key], table: key, sourceTable: names[key], ...(where ? { where } : {}) })
  // The model's `source.where` has a typo ("hiden"); the fixed config says "hidden".
  const models = (where: string): Model[] => [
    model('dropped'),
    model('retyped'),
    model('typo', where),
    model('healthy'),
  ]
  let pool: pg.Pool
  let harness: SyncHarness

  const context = () => ({ pool, ch, database, harness, healthy: { importKey: names.healthy, table: 'healthy' } })

  beforeAll(async () => {
    pool = postgresPool()
    for (const table of Object.values(names)) await pool.query(usersSourceDDL(table))
    await pool.query(`ALTER TABLE "${names.typo}" ADD COLUMN hidden boolean NOT NULL DEFAULT false`)
    await createTables(ch, database, [model('healthy'), model('typo')])
    // The tables as a later migration left them: `score` dropped, `name` turned into a number.
    await ch.client.command({
      query: `CREATE TABLE ${qualifiedTable(database, 'dropped')} (id UInt64, name String, version UInt64, is_deleted UInt8)
              ENGINE = ReplacingMergeTree(version, is_deleted) ORDER BY id`,
    })
    await ch.client.command({
      query: `CREATE TABLE ${qualifiedTable(database, 'retyped')} (id UInt64, name UInt64, score Int32, version UInt64, is_deleted UInt8)
              ENGINE = ReplacingMergeTree(version, is_deleted) ORDER BY id`,
    })
    harness = new SyncHarness(ch, { default: database }, models('NOT hiden'))
    await harness.start()
  })

  afterAll(async () => {
    await harness?.stop()
    for (const table of Object.values(names)) await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await ch.client.close()
  })

  faultScenario(
    {
      group,
      scenario: 'A column the model writes was dropped from the ClickHouse table',
      injected: 'ClickHouse table without `score`; fixed by ALTER TABLE ADD COLUMN, then resume',
    },
    () =>
      expectBlockedThenResumed(context(), {
        importKey: names.dropped,
        table: 'dropped',
        names: [/dropped/, /score/],
        fix: async () => {
          await ch.client.command({
            query: `ALTER TABLE ${qualifiedTable(database, 'dropped')} ADD COLUMN score Int32 AFTER name`,
          })
        },
      }),
  )

  faultScenario(
    {
      group,
      scenario: "A column's type changed in ClickHouse so that no row fits",
      injected: '`name` String → UInt64 in ClickHouse; fixed by ALTER TABLE MODIFY COLUMN, then resume',
    },
    () =>
      expectBlockedThenResumed(context(), {
        importKey: names.retyped,
        table: 'retyped',
        names: [/retyped/, /name/, /every row was rejected/],
        fix: async () => {
          await ch.client.command({
            query: `ALTER TABLE ${qualifiedTable(database, 'retyped')} MODIFY COLUMN name String`,
          })
        },
      }),
  )

  faultScenario(
    {
      group,
      scenario: 'A broken custom SQL expression in the model (source.where) blocks its model',
      injected: "source.where 'NOT hiden' (a typo); fixed in the config, worker restarted on it, then resume",
    },
    () =>
      expectBlockedThenResumed(context(), {
        importKey: names.typo,
        table: 'typo',
        names: [new RegExp(names.typo), /hiden/],
        // The model has no other SQL evaluated while syncing (defaultSQL, TTL and PARTITION BY act at
        // DDL time, computed columns are JS): a typo there is fixed in the config, which a worker reads
        // at start — the blocked workflow waits for the restarted worker and `resume`.
        fix: async () => {
          const fixed = new SyncHarness(ch, { default: database }, models('NOT hidden'), {
            taskQueue: harness.config.temporal.taskQueue,
          })
          await fixed.takeOver(harness)
          harness = fixed
          return fixed
        },
      }),
  )
})
