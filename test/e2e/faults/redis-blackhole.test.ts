import { afterAll, beforeAll, describe, expect } from 'vitest'
import { faultScenario } from '../../utils/faults.js'
import { OutageRig } from '../../utils/outage-rig.js'
import { PrivateService } from '../../utils/private-service.js'
import { TcpProxy } from '../../utils/tcp-proxy.js'

/**
 * How long new connections go unanswered. The connections open at the cut stay dead for good
 * whatever this is: the scenario is about noticing that, so it can be short.
 */
const CUT_SECONDS = Number(process.env.CHSYNC_BLACKHOLE_SECONDS ?? 10)

/**
 * The worker's connections to Redis die without a reset — the other end vanished behind a
 * failover or a firewall that dropped its state — under ~1,000 changes/s captured by triggers.
 * Nothing ever answers on them again, so a worker that waits for a reply waits forever; it has to
 * notice the silence and reconnect. A TCP proxy in front of a private Redis does the cutting.
 */
describe('sync survives Redis connections that die silently', () => {
  let redis: PrivateService
  let proxy: TcpProxy
  let rig: OutageRig

  beforeAll(async () => {
    redis = await PrivateService.create('redis')
    await redis.up()
    proxy = await TcpProxy.start(Number(new URL(redis.setting('CHSYNC_REDIS_URL')).port))
    rig = new OutageRig({
      prefix: 'redis_hole',
      redisUrl: `redis://127.0.0.1:${proxy.port}`,
      capture: true,
      // Big batches drain the backlog the outage leaves in a few rounds.
      batchSize: 5000,
    })
    await rig.setUp()
  })

  afterAll(async () => {
    await rig?.tearDown()
    await proxy?.close()
    await redis?.remove()
  })

  faultScenario(
    {
      group: 'Process and service faults',
      scenario: 'Redis connections black-holed',
      injected: `every connection of the worker to Redis silently dead for good (no reset, as after a failover), new ones unanswered for ${CUT_SECONDS} s, under ~1,000 changes/s captured by triggers`,
      timeoutMs: 300_000,
    },
    async () => {
      const load = rig.load().start()
      await rig.statusUntil('a first round', (status) => status.rounds >= 1)
      const cut = { down: () => Promise.resolve(proxy.cut()), up: () => Promise.resolve(proxy.restore()) }
      await rig.throughOutage(cut, CUT_SECONDS, /Redis at redis:\/\//, () => rig.outboxCount())
      expect(await load.stop()).toBeGreaterThan(0)
      return rig.converge()
    },
  )
})
