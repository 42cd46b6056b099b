import { logger } from '../logger.js'
import type { Claim } from '../storages/storage.js'
import type { SyncRuntime } from './runtime.js'

const log = logger.child({ component: 'sync' })

/**
 * Runs a data step while extending its batch's lock every third of the lock's lifetime, so a step
 * longer than the lifetime (a slow source query, a batch of vectors to serialize, one large chunk)
 * keeps the lock it holds. Extensions only lengthen a lock the claim's token still holds: a lock
 * lost to another owner stays lost, and the step's own fenced writes (stage, postSync) then fail as
 * before. A failed extension (a storage blip) is logged and tried again at the next tick.
 */
export async function holdingLock<T>(runtime: SyncRuntime, claim: Claim, work: () => Promise<T>): Promise<T> {
  const unit = runtime.unit(claim.importKey)
  const everyMs = Math.max(50, Math.floor(unit.lockTtlMs / 3))
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  // Chained timeouts, not an interval: a slow extension never overlaps the next one.
  const tick = () => {
    timer = setTimeout(() => {
      unit.storage
        .extendLock(claim, unit.lockTtlMs)
        .catch((error: unknown) =>
          log.warn(
            { err: error, importKey: claim.importKey, batchId: claim.batchId },
            'extending the sync lock failed',
          ),
        )
        .finally(() => {
          if (!stopped) tick()
        })
    }, everyMs)
  }
  tick()
  try {
    return await work()
  } finally {
    stopped = true
    clearTimeout(timer)
  }
}
