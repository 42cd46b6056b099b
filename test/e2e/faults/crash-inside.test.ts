import { afterAll, beforeAll, describe } from 'vitest'
import type { CrashPoint } from '../../../src/sync/fault-points.js'
import { CrashRig } from '../../utils/crash-rig.js'
import { faultScenario } from '../../utils/faults.js'

/**
 * Each crash point inside a step (src/sync/fault-points.ts), and what it leaves half done. Fetching
 * stages nothing (the rows stay in syncBatch's memory), so its one dangerous line (rows read,
 * payload not yet frozen) is `syncBatch:fetched`, in crash-points.test.ts.
 */
const POINTS: { point: CrashPoint; where: string }[] = [
  { point: 'preSync:claimed', where: 'preSync, after the claim script took the lock and the batch, before returning' },
  { point: 'syncBatch:chunkStaged', where: 'syncBatch, after the first chunk was staged, before the manifest' },
  {
    point: 'syncBatch:chunkInserted',
    where: 'syncBatch, after chunk 1 of a multi-chunk batch landed and its progress was reported, before chunk 2',
  },
  { point: 'syncBatch:lastChunkInserted', where: 'syncBatch, after the last chunk landed, before its heartbeat' },
  { point: 'postSync:beforeCommit', where: 'postSync, before the storage call that removes the batch' },
]

/**
 * SIGKILL at the most dangerous line inside each step (CHSYNC_CRASH_AT=<point>), while ~400
 * changes/s are written: the half-done step runs again on a new worker, which must neither lose nor
 * double anything. Chunks of 50 rows give every batch several inserts, so a crash between two of
 * them is possible; the first batch holds at least 150 rows.
 */
describe('a worker killed inside each step of a round', () => {
  const rig = new CrashRig({ batchSize: 1000, chunkRows: 50 })

  beforeAll(() => rig.setUp())
  afterAll(() => rig.tearDown())

  for (const { point, where } of POINTS) {
    faultScenario(
      {
        group: 'Process and service faults',
        scenario: `worker killed inside ${point.replace(':', ' at ')}`,
        injected: `SIGKILL of the worker in ${where}, under ~400 changes/s; a new worker takes over`,
        timeoutMs: 200_000,
      },
      async () => {
        await rig.changeSome(150)
        const load = rig.writeLoad(10).start()
        try {
          await rig.crashAt(point)
        } finally {
          await load.stop()
        }
        return rig.flushAndVerify()
      },
    )
  }
})
