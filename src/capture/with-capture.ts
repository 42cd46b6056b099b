import type pg from 'pg'
import { StorageError } from '../errors.js'
import { encodeKey, type KeyValue } from '../source/keys.js'
import { combineKinds } from '../storages/coalesce.js'
import { PostgresStorage } from '../storages/postgres/postgres-storage.js'
import { inTransaction } from '../storages/postgres/transaction.js'
import { OPERATION_KINDS, type OperationKind, type Storage } from '../storages/storage.js'

/** A row's key: one value, or the values of a composite key in primary-key order. */
export type CaptureKey = KeyValue | readonly KeyValue[]

/** What a transaction tells chsync it changed. Nothing reaches the storage before COMMIT succeeded. */
export interface Capture {
  insert(importKey: string, keys: readonly CaptureKey[]): void
  update(importKey: string, keys: readonly CaptureKey[]): void
  delete(importKey: string, keys: readonly CaptureKey[]): void
}

/** Operations told to one transaction, coalesced per model and key as the storage would. */
class CapturedOperations implements Capture {
  readonly byModel = new Map<string, Map<string, OperationKind>>()

  insert(importKey: string, keys: readonly CaptureKey[]): void {
    this.add(importKey, 'insert', keys)
  }
  update(importKey: string, keys: readonly CaptureKey[]): void {
    this.add(importKey, 'update', keys)
  }
  delete(importKey: string, keys: readonly CaptureKey[]): void {
    this.add(importKey, 'delete', keys)
  }

  private add(importKey: string, kind: OperationKind, keys: readonly CaptureKey[]): void {
    let model = this.byModel.get(importKey)
    if (!model) {
      model = new Map<string, OperationKind>()
      this.byModel.set(importKey, model)
    }
    for (const key of keys) {
      const encoded = encodeKey(Array.isArray(key) ? (key as readonly KeyValue[]) : [key as KeyValue])
      model.set(encoded, combineKinds(model.get(encoded), kind))
    }
  }

  /** One registration per model and kind: keys are distinct after coalescing, so order is free. */
  async registerAll(storage: Storage, options?: { client: pg.PoolClient }): Promise<void> {
    for (const [importKey, model] of this.byModel) {
      for (const kind of OPERATION_KINDS) {
        const keys = [...model].filter(([, captured]) => captured === kind).map(([key]) => key)
        if (keys.length === 0) continue
        if (options && storage instanceof PostgresStorage)
          await storage.registerOperations(importKey, kind, keys, options)
        else await storage.registerOperations(importKey, kind, keys)
      }
    }
  }
}

/**
 * Runs `work` in a PostgreSQL transaction and registers the keys it captured once COMMIT succeeded;
 * a rollback (a thrown error, a failed COMMIT) registers nothing. Returns what `work` returned.
 *
 * With a PostgresStorage on the same pool, the operations are written inside the transaction and
 * commit with it: nothing can be lost. With another storage (Redis), a crash between COMMIT and the
 * registration loses those operations — as with any after-commit hook; install the capture triggers
 * (`installCapture`) where that matters. A failed registration after COMMIT throws a `StorageError`
 * saying the change committed, so the caller can register again.
 */
export async function withCapture<T>(
  pool: pg.Pool,
  storage: Storage,
  work: (tx: pg.PoolClient, capture: Capture) => Promise<T>,
): Promise<T> {
  const captured = new CapturedOperations()
  const registersInTransaction = storage instanceof PostgresStorage && storage.pool === pool
  // Installing the outbox takes a second connection; never while this one is held (a pool of one).
  if (registersInTransaction) await storage.ensureSchema()
  const result = await inTransaction(pool, async (client) => {
    const value = await work(client, captured)
    if (registersInTransaction) await captured.registerAll(storage, { client })
    return value
  })
  if (!registersInTransaction) {
    try {
      await captured.registerAll(storage)
    } catch (error) {
      const models = [...captured.byModel.keys()].join(', ')
      throw new StorageError(
        `The transaction committed but registering its operations for ${models} failed`,
        {},
        { cause: error },
      )
    }
  }
  return result
}
