import { StorageError } from '../errors.js'
import type { BatchRef, Claim } from './storage.js'

/** The errors a fenced or finished batch meets, worded alike for both storages. */

export function lostLock(batch: Claim): StorageError {
  return new StorageError(
    `Sync lock for ${batch.importKey}/${batch.batchId} was lost (token ${batch.lockToken} no longer holds it)`,
    { importKey: batch.importKey, batchId: batch.batchId },
  )
}

export function notClaimed(batch: BatchRef): StorageError {
  return new StorageError(`Batch ${batch.importKey}/${batch.batchId} is no longer claimed`, {
    importKey: batch.importKey,
    batchId: batch.batchId,
  })
}
