import { deserialize, serialize } from 'node:v8'
import { gunzipSync, gzipSync } from 'node:zlib'
import { StorageError } from '../errors.js'
import type { Claim, Storage } from '../storages/storage.js'

/**
 * The claim-check of a round: what one step hands the next, staged in the storage under the batch
 * (invariant 4: rows never enter workflow history). Values are v8-serialized (Dates, Buffers and
 * bigints survive) and gzipped (fast level: payloads are transient).
 */

export const STAGED = {
  /** The frozen payload's table of contents (`PayloadManifest`). */
  manifest: 'payload',
  /** One chunk of JSONEachRow bytes. */
  chunk: (model: string, index: number) => `payload:${model}:${index}`,
  /** insertBatch's progress (`InsertProgress`), staged after each chunk sent to a server without deduplication tokens. */
  insertProgress: 'insert-progress',
  /** The latest insertBatch attempt (number) on a batch for a server without tokens: older attempts stop. */
  insertAttempt: 'insert-attempt',
  /** What postSync parks: operations that could not be serialized, and rows ClickHouse rejected (found by bisecting). */
  deadLetters: 'dead-letters',
} as const

export async function stageValue(storage: Storage, batch: Claim, name: string, value: unknown): Promise<void> {
  await storage.stage(batch, name, gzipSync(serialize(value), { level: 1 }))
}

export async function readStagedValue<T>(storage: Storage, batch: Claim, name: string): Promise<T | null> {
  const data = await storage.readStaged(batch, name)
  return data ? (deserialize(gunzipSync(data)) as T) : null
}

/** Like `readStagedValue`, for data an earlier step must have staged: missing means the batch was lost. */
export async function requireStagedValue<T>(storage: Storage, batch: Claim, name: string): Promise<T> {
  const value = await readStagedValue<T>(storage, batch, name)
  if (value === null) {
    throw new StorageError(`staged "${name}" is missing for ${batch.importKey}/${batch.batchId} (expired or flushed)`, {
      importKey: batch.importKey,
      batchId: batch.batchId,
    })
  }
  return value
}
