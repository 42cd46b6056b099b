import { afterAll, beforeAll, describe } from 'vitest'
import type pg from 'pg'
import { quoteIdentifier } from '../../../src/clickhouse/index.js'
import { expectBlockedThenResumed } from '../../utils/blocked-model.js'
import { clickhouseServer, postgresPool } from '../../utils/clients.js'
import { createTables } from '../../utils/e2e.js'
import { faultScenario } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { requireEnv } from '../../utils/services-env.js'
import { SyncHarness } from '../../utils/sync-harness.js'
import { usersModel, usersSourceDDL } from '../../utils/users-model.js'

/**
 * SRS028 "user rights": a model whose write alias connects as a ClickHouse user without the INSERT
 * right — the stack's `chsync_reader` (readonly profile; scripts/services/clickhouse.sh) on the 18.16
 * server, which has no GRANT — blocks alone with an error naming the right and the table. The fix
 * on such a server is the config (another user), which a restarted worker reads; then `resume`.
 */
describe('a ClickHouse user without the INSERT right', () => {
  const database = uniqueName('chsync_rights')
  const ch = clickhouseServer()
  const names = { locked: uniqueName('locked'), healthy: uniqueName('healthy') }
  const url = requireEnv('CHSYNC_CLICKHOUSE_URL')
  const aliases = {
    default: { url, database },
    reader: { url, database, user: 'chsync_reader' },
  }
  // 18.x has no ReplacingMergeTree(version, is_deleted): these models ignore deletes (none are made).
  const models = (lockedAlias: string) => [
    usersModel({
      importKey: names.locked,
      table: 'locked',
      sourceTable: names.locked,
      isDeleted: false,
      routing: { writeAliases: [lockedAlias], readAliases: [lockedAlias] },
    }),
    usersModel({ importKey: names.healthy, table: 'healthy', sourceTable: names.healthy, isDeleted: false }),
  ]
  let pool: pg.Pool
  let harness: SyncHarness

  beforeAll(async () => {
    pool = postgresPool()
    for (const table of Object.values(names)) await pool.query(usersSourceDDL(table))
    await createTables(ch, database, models('default'))
    harness = new SyncHarness(ch, aliases, models('reader'))
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
      group: 'SRS028 failure modes',
      scenario: 'The ClickHouse user has no INSERT right (18.16 server, readonly profile)',
      injected: 'write alias as user chsync_reader (readonly); fixed by a config with a writing user, then resume',
    },
    () =>
      expectBlockedThenResumed(
        { pool, ch, database, harness, healthy: { importKey: names.healthy, table: 'healthy' } },
        {
          importKey: names.locked,
          table: 'locked',
          names: [/lacks the INSERT right on locked/, /readonly/],
          fix: async () => {
            const fixed = new SyncHarness(ch, aliases, models('default'), {
              taskQueue: harness.config.temporal.taskQueue,
            })
            await fixed.takeOver(harness)
            harness = fixed
            return fixed
          },
        },
      ),
  )
})
