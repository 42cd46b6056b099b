import { afterAll, beforeAll, describe } from 'vitest'
import { CrashRig } from '../../utils/crash-rig.js'
import { faultScenario } from '../../utils/faults.js'
import { waitUntil } from '../../utils/wait-until.js'

/**
 * A worker that stops without dying — a paused VM, an event loop blocked past the heartbeat
 * timeout — while a second worker takes its syncBatch over, then runs on. Both are alive and
 * both hold the same claim, so the storage lock cannot tell them apart; on the ClickHouse 18.16
 * server, which has no deduplication tokens, every chunk both sent would land twice. The older
 * attempt must notice the newer one and stop before its next chunk.
 */
describe('a worker frozen inside syncBatch past its heartbeat timeout, then woken', () => {
  const rig = new CrashRig({ batchSize: 1000, chunkRows: 50, server: true })

  beforeAll(() => rig.setUp())
  afterAll(() => rig.tearDown())

  faultScenario(
    {
      group: 'Process and service faults',
      scenario: 'worker frozen in syncBatch, woken while another redoes it (server 18.16)',
      injected:
        'SIGSTOP of the worker after chunk 1 of a multi-chunk batch; a second worker retries the step and is frozen after its first chunk; the first is woken, then the second',
      timeoutMs: 200_000,
    },
    async () => {
      await rig.changeSome(150)
      // Both freeze once, after a chunk landed and its progress was recorded.
      const freeze = { CHSYNC_CRASH_AT: 'syncBatch:chunkInserted', CHSYNC_CRASH_SIGNAL: 'SIGSTOP' }
      // One activity at a time: a frozen worker with a free slot keeps long-polls open, and the server
      // hands the retries to it — each then waits out the heartbeat timeout, the round fails after
      // five, and its batch is re-claimed under a new lock token (safe, but another scenario).
      const oneAtATime = ['--concurrency', '1']
      const [first, second] = [rig.worker(freeze, oneAtATime), rig.worker(freeze, oneAtATime)]
      await first.start()
      await waitUntil('the first worker froze inside syncBatch', () => first.frozen, 90_000)
      await second.start()
      await waitUntil('the second worker took the step over and froze', () => second.frozen, 90_000)
      first.wake()
      await waitUntil('the woken first worker gave the batch up', () => {
        if (first.printed('took the batch over')) return true
        throw new Error(`the first worker printed:\n${first.tail()}\nthe second:\n${second.tail()}`)
      })
      second.wake()
      return rig.flushAndVerify()
    },
  )
})
