import { afterAll, beforeAll, describe } from 'vitest'
import { CrashRig } from '../../utils/crash-rig.js'
import { faultScenario } from '../../utils/faults.js'

/**
 * SIGKILL pinpointed at each step of a round: the worker dies right after the step did its work and
 * before Temporal heard of it (CHSYNC_CRASH_AT=<step>:done, or the point where a part of syncBatch ends), so the step runs again on a fresh worker
 * once its timeout passes. After every step's crash, the batch still arrives exactly once: ClickHouse
 * (read from a child process, so the next worker can still open the embedded directory) equals PostgreSQL.
 */
describe('a worker killed right after each step of a round', () => {
  const rig = new CrashRig()

  beforeAll(() => rig.setUp())
  afterAll(() => rig.tearDown())

  // The fetch and serialize parts of syncBatch end at syncBatch:fetched and syncBatch:frozen.
  const POINTS = [
    { point: 'preSync:done', step: 'preSync' },
    { point: 'syncBatch:fetched', step: 'the fetch in syncBatch' },
    { point: 'syncBatch:frozen', step: 'the serialize in syncBatch' },
    { point: 'syncBatch:done', step: 'syncBatch' },
    { point: 'postSync:done', step: 'postSync' },
  ] as const
  for (const { point, step } of POINTS) {
    faultScenario(
      {
        group: 'Process and service faults',
        scenario: `worker killed right after ${step}`,
        injected: `SIGKILL of the worker once ${step} did its work, before Temporal heard of it; a new worker takes over`,
        timeoutMs: 200_000,
      },
      async () => {
        await rig.changeSome()
        await rig.crashAt(point)
        return rig.flushAndVerify()
      },
    )
  }
})
