import { afterAll, beforeAll, describe, expect } from 'vitest'
import { faultScenario } from '../../utils/faults.js'
import { OutageRig } from '../../utils/outage-rig.js'
import { PrivateService } from '../../utils/private-service.js'

/** How long the ClickHouse server stays down (CI may shorten it; the logic is the same). */
const OUTAGE_SECONDS = Number(process.env.CHSYNC_OUTAGE_SECONDS ?? 30)

/**
 * The ClickHouse server a model writes to stops for a while under ~1,000 changes/s: a private
 * clickhouse-server (Debian's 18.16, which has no insert deduplication tokens) that only this file
 * uses, since other test files write to the shared server at the same time.
 */
describe('sync survives a ClickHouse server outage', () => {
  let clickhouse: PrivateService
  let rig: OutageRig

  beforeAll(async () => {
    clickhouse = await PrivateService.create('clickhouse')
    await clickhouse.up()
    // 18.16 has no ReplacingMergeTree(version, is_deleted): deletes become cancel rows.
    rig = new OutageRig({
      prefix: 'ch_down',
      clickhouseUrl: clickhouse.setting('CHSYNC_CLICKHOUSE_URL'),
      engine: 'collapsing',
    })
    await rig.setUp()
  })

  afterAll(async () => {
    await rig?.tearDown()
    await clickhouse?.remove()
  })

  faultScenario(
    {
      group: 'Process and service faults',
      scenario: `ClickHouse server stopped for ${OUTAGE_SECONDS} s`,
      injected: `ClickHouse 18.16 server stopped (SIGTERM) for ${OUTAGE_SECONDS} s, then started, under ~1,000 changes/s registered by the library API`,
      timeoutMs: 300_000 + OUTAGE_SECONDS * 1000,
    },
    async () => {
      const load = rig.load().start()
      await rig.statusUntil('a first round', (status) => status.rounds >= 1)
      // The backlog grows in the storage while no insert can land, and drains once the server is back.
      await rig.throughOutage(clickhouse, OUTAGE_SECONDS, /ClickHouse at http:\/\//, () =>
        rig.storage.operationsCount(rig.importKey),
      )
      expect(await load.stop()).toBeGreaterThan(0)
      return rig.converge()
    },
  )
})
