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

/** A change only a stopped round may make, refused while a round holds the model's lock. */
export function syncing(importKey: string): StorageError {
  return new StorageError(
    `${importKey} is syncing a batch (a round holds its lock): pause it (chsync pause ${importKey}), then try again`,
    { importKey },
  )
}

/** `takeLock` refused: a round holds the lock, or stands between its steps with a claimed batch. */
export function lockBusy(importKey: string, why: string): StorageError {
  return new StorageError(`Sync lock for ${importKey} is not free: ${why}; retrying`, { importKey })
}
