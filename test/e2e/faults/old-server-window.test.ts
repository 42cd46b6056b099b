import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CrashRig } from '../../utils/crash-rig.js'

const CHUNK_ROWS = 50

/**
 * The crash window tokens would close, on a server without them (ClickHouse 18.16): a chunk whose
 * insert returned but whose progress was not yet recorded. chsync records progress in the storage
 * after every chunk there (heartbeats alone are throttled and lose several chunks), so only that one
 * chunk is in doubt; on this collapsing table the retried batch's chunks are first looked up by
 * (version, sign) in what landed (src/sync/landed.ts), so it is not sent again: no raw duplicate
 * (merges are stopped here, so a duplicate would be counted).
 */
describe('a worker killed inside insertBatch on a server without deduplication tokens', () => {
  const rig = new CrashRig({ batchSize: 1000, chunkRows: CHUNK_ROWS, server: true })

  beforeAll(() => rig.setUp())
  afterAll(() => rig.tearDown())

  it('does not send the unrecorded chunk again: the retry finds it landed, and the table equals the source', async () => {
    await rig.changeSome(150)
    // After the last of ≥ 3 chunks: every earlier chunk's progress was recorded, the last one's not.
    await rig.crashAt('syncBatch:lastChunkInserted')
    const verdict = await rig.flushAndVerify()
    expect(verdict).toMatchObject({ mismatched: 0, operationsLeft: 0, foundRows: verdict.expectedRows })
    expect(verdict.duplicates).toBe(0)
  }, 200_000)
})
