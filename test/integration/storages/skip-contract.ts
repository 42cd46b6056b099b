import { expect, it } from 'vitest'
import { StorageError } from '../../../src/errors.js'
import type { Storage } from '../../../src/storages/storage.js'
import { uniqueName } from '../../utils/names.js'

const claimOptions = { owner: 'owner-a', batchSize: 100, lockTtlMs: 30_000 }

/**
 * `skipOperations`, part of the storage contract: run inside `describeStorageContract`, which
 * passes its storage once the harness exists.
 */
export function skipOperationsContract(storage: () => Storage): void {
  it('skips waiting operations of the given keys into dead letters, ignoring keys with none', async () => {
    const importKey = uniqueName('model')
    await storage().registerOperations(importKey, 'insert', ['a', 'b', 'c'])
    await storage().registerOperations(importKey, 'delete', ['b'])
    expect(await storage().skipOperations(importKey, ['b', 'nothing'], 'skipped by an operator: bad key')).toBe(1)
    expect(await storage().operationsCount(importKey)).toBe(2)
    const [letter, ...more] = await storage().deadLetters(importKey)
    expect(more).toEqual([])
    expect(letter).toMatchObject({ operation: { key: 'b', kind: 'delete' }, error: 'skipped by an operator: bad key' })
    expect(Number.isNaN(Date.parse(letter?.at ?? ''))).toBe(false)
    expect(await storage().retryDeadLetters(importKey)).toBe(1)
    expect(await storage().operationsCount(importKey)).toBe(3)
  })

  it('drops a standing claim holding a skipped key: the next round claims the rest afresh', async () => {
    const importKey = uniqueName('model')
    await storage().registerOperations(importKey, 'update', ['1', '2', '3'])
    const stuck = await storage().preSync(importKey, claimOptions)
    if (!stuck) throw new Error('expected a claim')
    await storage().stage(stuck, 'payload', Buffer.from('with the row of key 2'))
    await storage().postSyncFailed(stuck, new Error('the round failed on key 2'))
    expect(await storage().skipOperations(importKey, ['2'], 'skipped')).toBe(1)
    await expect(storage().getOperations(stuck)).rejects.toThrow(StorageError)
    const next = await storage().preSync(importKey, claimOptions)
    if (!next) throw new Error('expected a claim')
    expect(next.resumed).toBe(false)
    expect((await storage().getOperations(next)).map((op) => op.key)).toEqual(['1', '3'])
    expect(await storage().readStaged(next, 'payload')).toBeNull()
    expect((await storage().postSync(next)).removed).toBe(2)
  })

  it('keeps a standing claim without a skipped key, and refuses while a round holds the lock', async () => {
    const importKey = uniqueName('model')
    await storage().registerOperations(importKey, 'update', ['1', '2'])
    const batch = await storage().preSync(importKey, { ...claimOptions, batchSize: 1 })
    if (!batch) throw new Error('expected a claim')
    await expect(storage().skipOperations(importKey, ['2'], 'skipped')).rejects.toThrow(/pause it \(chsync pause/)
    expect(await storage().operationsCount(importKey)).toBe(2)
    await storage().postSyncFailed(batch, new Error('stopped'))
    expect(await storage().skipOperations(importKey, ['2'], 'skipped')).toBe(1)
    const resumed = await storage().preSync(importKey, claimOptions)
    expect(resumed).toMatchObject({ batchId: batch.batchId, resumed: true })
    expect((await storage().postSync(resumed as NonNullable<typeof resumed>)).removed).toBe(1)
    expect(await storage().operationsCount(importKey)).toBe(0)
  })
}
