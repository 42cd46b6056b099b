import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CrashRig } from '../../utils/crash-rig.js'

const CHUNK_ROWS = 50

/**
 * The one crash window exactly-once cannot close on a server without deduplication tokens
 * (ClickHouse 18.16): a chunk whose insert returned but whose progress was not yet recorded is sent
 * again. chsync records progress in the storage after every chunk there (heartbeats alone are
 * throttled and lose several chunks), so at most one chunk lands twice; the engine absorbs it at
 * FINAL and merges (stopped here, so the raw duplicates can be counted).
 */
describe('a worker killed inside insertBatch on a server without deduplication tokens', () => {
  const rig = new CrashRig({ batchSize: 1000, chunkRows: CHUNK_ROWS, server: true })

  beforeAll(() => rig.setUp())
  afterAll(() => rig.tearDown())

  it('sends at most the one unrecorded chunk twice, and the merged table still equals the source', async () => {
    await rig.changeSome(150)
    // After the last of ≥ 3 chunks: every earlier chunk's progress was recorded, the last one's not.
    await rig.crashAt('syncBatch:lastChunkInserted')
    const verdict = await rig.flushAndVerify()
    expect(verdict).toMatchObject({ mismatched: 0, operationsLeft: 0, foundRows: verdict.expectedRows })
    expect(verdict.duplicates).toBeGreaterThan(0)
    expect(verdict.duplicates).toBeLessThanOrEqual(CHUNK_ROWS)
  }, 200_000)
})
