import { afterAll, beforeAll, describe, expect } from 'vitest'
import { CrashableRedis, type RedisPersistence } from '../../utils/crashable-redis.js'
import { faultScenario } from '../../utils/faults.js'
import { OutageRig } from '../../utils/outage-rig.js'

/** SIGKILLs per scenario, each after the worker relayed and synced again since the last. */
const CRASHES = Number(process.env.CHSYNC_REDIS_CRASHES ?? 3)
const BATCH_SIZE = 1000

const SCENARIOS: { persistence: RedisPersistence; name: string; injected: string; duplicatesMerged?: string }[] = [
  {
    persistence: 'aof-everysec',
    name: 'redis-server SIGKILLed under trigger capture (AOF everysec)',
    injected: `${CRASHES} × SIGKILL of redis-server (appendonly yes, appendfsync everysec), restarted on its data, under ~1,000 changes/s captured by triggers and relayed to it`,
  },
  {
    persistence: 'snapshots',
    name: 'redis-server SIGKILLed under trigger capture (snapshots)',
    injected: `${CRASHES} × SIGKILL of redis-server (snapshots each second, no AOF: each crash loses its last ~second), restarted on its data, under ~1,000 changes/s captured by triggers and relayed to it`,
    // Redis comes back as it was up to a second earlier: batches committed since come again, with
    // the re-relayed keys among them, i.e. composed differently, under other deduplication tokens.
    duplicatesMerged: 'Redis rolled back to its last snapshot re-sends committed batches, recomposed',
  },
]

/**
 * Trigger capture promises that no committed change is missed. A crash of the Redis server loses
 * what it acknowledged but had not persisted; the relay must not have dropped those operations
 * from the PostgreSQL outbox (it keeps them until Redis shows them synced, and re-relays what
 * Redis lost). The verdict compares every row.
 */
describe.each(SCENARIOS)('sync survives crashes of redis-server: $persistence', (scenario) => {
  const { persistence, name, injected, duplicatesMerged } = scenario
  let redis: CrashableRedis
  let rig: OutageRig

  beforeAll(async () => {
    redis = await CrashableRedis.start(persistence)
    rig = new OutageRig({
      prefix: `redis_crash_${persistence.replace('-', '_')}`,
      redisUrl: redis.url,
      capture: true,
      batchSize: BATCH_SIZE,
    })
    await rig.setUp()
  })
  afterAll(async () => {
    await rig?.tearDown()
    await redis?.remove()
  })

  faultScenario(
    {
      group: 'Process and service faults',
      scenario: name,
      injected,
      timeoutMs: 600_000,
      ...(duplicatesMerged ? { duplicatesMerged } : {}),
    },
    async () => {
      const load = rig.load().start()
      for (let crash = 0; crash < CRASHES; crash++) {
        const before = (await rig.status()).rounds
        // Rounds relayed and synced since the last crash, so that Redis holds acknowledged work to lose.
        await rig.statusUntil('rounds before the crash', (status) => status.rounds >= before + 2, 180_000)
        await redis.crash()
        await redis.up()
      }
      const crashed = (await rig.status()).rounds
      await rig.statusUntil(
        'rounds after the last crash',
        (status) => status.consecutiveFailures === 0 && status.rounds >= crashed + 2,
        180_000,
      )
      expect(await load.stop()).toBeGreaterThan(0)
      const verdict = await rig.converge()
      // The outbox does not keep what Redis shows synced: at most the last batch's rows are left.
      const { rows } = await rig.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM chsync.operations WHERE import_key = $1',
        [rig.importKey],
      )
      expect(rows[0]?.n).toBeLessThanOrEqual(BATCH_SIZE)
      return verdict
    },
  )
})
