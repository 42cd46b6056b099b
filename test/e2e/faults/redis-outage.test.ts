import { afterAll, beforeAll, describe, expect } from 'vitest'
import { redisModelKeys } from '../../../src/storages/redis/redis-keys.js'
import type { RedisStorage } from '../../../src/storages/redis/redis-storage.js'
import { faultScenario } from '../../utils/faults.js'
import { OutageRig, waitFor } from '../../utils/outage-rig.js'
import { PrivateService } from '../../utils/private-service.js'

/** How long Redis stays away in the unreachable scenario (CI may shorten it; the logic is the same). */
const OUTAGE_SECONDS = Number(process.env.CHSYNC_OUTAGE_SECONDS ?? 30)

/**
 * Redis, the intermediate storage, goes away while a worker syncs under ~1,000 changes/s. It is a
 * private instance (append-only file, appendfsync everysec, as scripts/services/redis.sh runs it):
 * other test files use the shared Redis at the same time.
 */
describe('sync survives Redis outages', () => {
  let redis: PrivateService

  beforeAll(async () => {
    redis = await PrivateService.create('redis')
    await redis.up()
  })

  afterAll(async () => {
    await redis?.remove()
  })

  describe('a clean restart in the middle of a round', () => {
    let rig: OutageRig
    beforeAll(async () => {
      rig = new OutageRig({ prefix: 'redis_restart', redisUrl: redis.setting('CHSYNC_REDIS_URL') })
      await rig.setUp()
    })
    afterAll(async () => rig?.tearDown())

    faultScenario(
      {
        group: 'Process and service faults',
        scenario: 'Redis restarted mid-round',
        injected:
          'clean restart (SIGTERM, AOF everysec) of the Redis storage while a batch is claimed, under ~1,000 changes/s registered by the library API',
        timeoutMs: 300_000,
      },
      async () => {
        const load = rig.load().start()
        await rig.statusUntil('a first round', (status) => status.rounds >= 1)
        // Mid-round: a batch is claimed (between preSync and postSync) right now.
        const storage = rig.storage as RedisStorage
        const claim = redisModelKeys(storage.prefix, rig.importKey).claim
        await waitFor('a claimed batch', 60_000, async () => ((await storage.redis.exists(claim)) ? true : undefined))
        await redis.down()
        await redis.up()
        const before = (await rig.status()).rounds
        // A clean SHUTDOWN fsyncs the AOF: the claim survives, and the round resumes it.
        await rig.statusUntil('rounds after the restart', (status) => status.rounds >= before + 3)
        expect(await load.stop()).toBeGreaterThan(0)
        return rig.converge()
      },
    )
  })

  describe(`unreachable for ${OUTAGE_SECONDS} s while triggers capture`, () => {
    let rig: OutageRig
    beforeAll(async () => {
      rig = new OutageRig({ prefix: 'redis_down', redisUrl: redis.setting('CHSYNC_REDIS_URL'), capture: true })
      await rig.setUp()
    })
    afterAll(async () => rig?.tearDown())

    faultScenario(
      {
        group: 'Process and service faults',
        scenario: `Redis unreachable for ${OUTAGE_SECONDS} s`,
        injected: `Redis storage stopped for ${OUTAGE_SECONDS} s, then started, under ~1,000 changes/s captured by triggers into the PostgreSQL outbox`,
        timeoutMs: 300_000 + OUTAGE_SECONDS * 1000,
      },
      async () => {
        const load = rig.load().start()
        await rig.statusUntil('a first round', (status) => status.rounds >= 1)
        // The triggers keep capturing into the outbox while the relay to Redis fails.
        // Known gap: preSync is a local activity now, and once its attempts have taken ~30 s the round
        // ends in a bare "Activity timed out" (no cause) — the status cannot name Redis yet; the log does.
        await rig.throughOutage(
          redis,
          OUTAGE_SECONDS,
          /Redis at redis:\/\//,
          () => rig.outboxCount(),
          /Redis at redis:\/\/|^Activity timed out$/,
        )
        expect(await load.stop()).toBeGreaterThan(0)
        return rig.converge()
      },
    )
  })
})
