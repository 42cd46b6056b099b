import pg from 'pg'
import { afterAll, beforeAll, describe, expect } from 'vitest'
import { faultScenario } from '../../utils/faults.js'
import { OutageRig, waitFor } from '../../utils/outage-rig.js'
import { PrivateService } from '../../utils/private-service.js'

/**
 * The source PostgreSQL restarts while the worker is reading a batch's rows from it, under ~1,000
 * changes/s captured by triggers (the outbox lives in that database too): once with the operations
 * relayed to Redis, once with PostgresStorage, for which the restart also takes the storage away.
 * A private instance (initdb once for the file): other test files use the shared PostgreSQL.
 */
describe('sync survives a PostgreSQL restart', () => {
  let postgres: PrivateService

  beforeAll(async () => {
    postgres = await PrivateService.create('postgres')
    await postgres.up()
  })

  afterAll(async () => {
    await postgres?.remove()
  })

  /**
   * Holds an ACCESS EXCLUSIVE lock on the source table, as a migration would: the next fetch of a
   * batch's rows waits on it, so the restart lands mid-fetch for certain instead of by luck. The restart ends the
   * locking transaction (fast shutdown aborts every session).
   */
  async function lockTable(table: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: postgres.setting('CHSYNC_POSTGRES_URL') })
    // The restart kills this session: an 'error' event, expected.
    client.on('error', () => undefined)
    await client.connect()
    await client.query('BEGIN')
    await client.query(`LOCK TABLE "${table}" IN ACCESS EXCLUSIVE MODE`)
    return client
  }

  describe.each([
    { storage: 'redis' as const, scenario: 'PostgreSQL restarted mid-fetch', where: 'relayed to Redis' },
    {
      storage: 'postgres' as const,
      scenario: 'PostgreSQL restarted mid-fetch, PostgresStorage',
      where: 'read from the outbox by PostgresStorage',
    },
  ])('with the operations $where', ({ storage, scenario, where }) => {
    let rig: OutageRig

    beforeAll(async () => {
      rig = new OutageRig({
        prefix: `pg_restart_${storage}`,
        postgresUrl: postgres.setting('CHSYNC_POSTGRES_URL'),
        capture: true,
        storage,
      })
      await rig.setUp()
    })

    afterAll(async () => {
      await rig?.tearDown()
    })

    faultScenario(
      {
        group: 'Process and service faults',
        scenario,
        injected: `restart (fast shutdown) of the source PostgreSQL while the worker reads a batch's rows, under ~1,000 changes/s captured by triggers (${where})`,
        timeoutMs: 300_000,
      },
      async () => {
        const load = rig.load().start()
        await rig.statusUntil('a first round', (status) => status.rounds >= 1)
        const lock = await lockTable(rig.table)
        // Mid-fetch for certain: the worker's SELECT of a batch's rows (a COPY where PostgreSQL renders
        // them) waits on that lock right now.
        await waitFor('a fetch waiting on the source table', 60_000, async () => {
          const { rows } = await rig.pool.query(
            `SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND wait_event_type = 'Lock' AND query ~* '^\\s*(select|copy)'`,
          )
          return rows.length > 0 || undefined
        })
        const { raw } = await rig.handle.describe()
        // The round's data activity (fetch, serialize, insert) is the one in flight.
        expect(raw.pendingActivities?.map((activity) => activity.activityType?.name)).toContain('syncBatch')
        await postgres.down()
        await postgres.up()
        void lock.end().catch(() => undefined)
        const before = (await rig.status()).rounds
        await rig.statusUntil('rounds after the restart', (status) => status.rounds >= before + 3)
        expect(await load.stop()).toBeGreaterThan(0)
        // The failed fetch was logged naming the database, password masked.
        const output = rig.worker.tail(Number.MAX_SAFE_INTEGER)
        expect(output).toMatch(
          /PostgreSQL at postgres:\/\/chsync:\*\*\*@127\.0\.0\.1:\d+\/chsync: (fetching|rendering) rows/,
        )
        expect(output).not.toContain('chsync:chsync@')
        return rig.converge()
      },
    )
  })
})
