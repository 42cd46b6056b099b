import { afterAll, beforeAll, describe } from 'vitest'
import { CrashRig } from '../../utils/crash-rig.js'
import { faultScenario } from '../../utils/faults.js'
import { waitUntil } from '../../utils/wait-until.js'

/**
 * A worker that stops without dying — a paused VM, an event loop blocked past the heartbeat
 * timeout — while a second worker takes its insertBatch over, then runs on. Both are alive and
 * both hold the same claim, so the storage lock cannot tell them apart; on the ClickHouse 18.16
 * server, which has no deduplication tokens, every chunk both sent would land twice. The older
 * attempt must notice the newer one and stop before its next chunk.
 */
describe('a worker frozen inside insertBatch past its heartbeat timeout, then woken', () => {
  const rig = new CrashRig({ batchSize: 1000, chunkRows: 50, server: true })

  beforeAll(() => rig.setUp())
  afterAll(() => rig.tearDown())

  faultScenario(
    {
      group: 'Process and service faults',
      scenario: 'worker frozen in insertBatch, woken while another redoes it (server 18.16)',
      injected:
        'SIGSTOP of the worker after chunk 1 of a multi-chunk batch; a second worker retries the step and is frozen after its first chunk; the first is woken, then the second',
      timeoutMs: 200_000,
    },
    async () => {
      await rig.changeSome(150)
      // Both freeze once, after a chunk landed and its progress was recorded.
      const freeze = { CHSYNC_CRASH_AT: 'insertBatch:chunkInserted', CHSYNC_CRASH_SIGNAL: 'SIGSTOP' }
      const [first, second] = [rig.worker(freeze), rig.worker(freeze)]
      await first.start()
      await waitUntil('the first worker froze inside insertBatch', () => first.frozen, 90_000)
      await second.start()
      await waitUntil('the second worker took the step over and froze', () => second.frozen, 90_000)
      first.wake()
      await waitUntil('the woken first worker gave the batch up', () => first.printed('took the batch over'))
      second.wake()
      return rig.flushAndVerify()
    },
  )
})
