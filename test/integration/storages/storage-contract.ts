import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { StorageError } from '../../../src/errors.js'
import { encodeKey } from '../../../src/source/keys.js'
import { combineKinds } from '../../../src/storages/coalesce.js'
import {
  OPERATION_KINDS,
  type Claim,
  type ClaimOptions,
  type OperationKind,
  type Storage,
} from '../../../src/storages/storage.js'
import { uniqueName } from '../../utils/names.js'
import { skipOperationsContract } from './skip-contract.js'

/** What the contract needs from one storage implementation, on the real service. */
export interface StorageHarness {
  storage: Storage
  /** Another storage on its own connections, for concurrent registerers. */
  connect(): { storage: Storage; close(): Promise<void> } | Promise<{ storage: Storage; close(): Promise<void> }>
  /** Makes the model's lock expire now, as if its holder died and its TTL ran out. */
  expireLock(importKey: string): Promise<void>
  /** Drops everything the harness created (unique prefix / schema) and closes its clients. */
  close(): Promise<void>
}

const claimOptions = (owner = 'owner-a', batchSize = 100): ClaimOptions => ({ owner, batchSize, lockTtlMs: 30_000 })

/** Polls `check` until it returns a value or the deadline passes: for things that happen on a TTL. */
async function eventually<T>(check: () => Promise<T | null>, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs
  for (;;) {
    try {
      const value = await check()
      if (value !== null) return value
    } catch (error) {
      if (Date.now() > deadline) throw error
    }
    if (Date.now() > deadline) throw new Error('condition not met before the deadline')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

async function claim(storage: Storage, importKey: string, options = claimOptions()): Promise<Claim> {
  const batch = await storage.preSync(importKey, options)
  if (!batch) throw new Error(`expected a batch for ${importKey}`)
  return batch
}

/** Claims and completes batches until nothing is left; returns every (key, kind) synced, in order. */
async function drain(
  storage: Storage,
  importKey: string,
  batchSize = 100,
): Promise<{ key: string; kind: OperationKind }[]> {
  const synced: { key: string; kind: OperationKind }[] = []
  for (let batch = await storage.preSync(importKey, claimOptions('drainer', batchSize)); batch;) {
    for (const { key, kind } of await storage.getOperations(batch)) synced.push({ key, kind })
    await storage.postSync(batch)
    batch = await storage.preSync(importKey, claimOptions('drainer', batchSize))
  }
  return synced
}

/** The one behaviour both storages must have (src/storages/storage.ts), run against each. */
export function describeStorageContract(
  name: string,
  createHarness: () => StorageHarness | Promise<StorageHarness>,
): void {
  describe(`${name} (storage contract)`, () => {
    let harness: StorageHarness
    let storage: Storage
    const model = () => uniqueName('model')

    beforeAll(async () => {
      harness = await createHarness()
      storage = harness.storage
    })
    afterAll(() => harness.close())

    skipOperationsContract(() => storage)

    it('claims operations in registration order, hands them back unchanged, and removes them', async () => {
      const importKey = model()
      // One call per key: within one call the order of sequences is the storage's choice.
      for (const key of ['3', '1', '2']) expect(await storage.registerOperations(importKey, 'insert', [key])).toBe(1)
      expect(await storage.registerOperations(importKey, 'delete', ['9'])).toBe(1)
      expect(await storage.operationsCount(importKey)).toBe(4)
      const batch = await claim(storage, importKey, claimOptions('a', 3))
      expect(batch).toMatchObject({ importKey, size: 3, resumed: false })
      const operations = await storage.getOperations(batch)
      expect(operations.map(({ key, kind }) => [key, kind])).toEqual([
        ['3', 'insert'],
        ['1', 'insert'],
        ['2', 'insert'],
      ])
      const seqs = operations.map((operation) => operation.seq)
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs)
      expect(new Set(seqs).size).toBe(3)
      expect(await storage.getOperations(batch)).toEqual(operations)
      expect((await storage.postSync(batch)).removed).toBe(3)
      expect(await storage.operationsCount(importKey)).toBe(1)
      const next = await claim(storage, importKey, claimOptions('b', 3))
      expect(next.batchId).not.toBe(batch.batchId)
      const [last] = await storage.getOperations(next)
      expect(last).toMatchObject({ key: '9', kind: 'delete' })
      expect(last?.seq).toBeGreaterThan(seqs[2] as number)
      await storage.postSync(next)
      expect(await storage.preSync(importKey, claimOptions('c'))).toBeNull()
    })

    it('reports the backlog with its lowest and highest sequence, claimed operations included', async () => {
      const importKey = model()
      expect(await storage.backlogRange(importKey)).toEqual({ count: 0, oldestSeq: null, newestSeq: null })
      await storage.registerOperations(importKey, 'insert', ['a', 'b', 'c'])
      const batch = await claim(storage, importKey, claimOptions('a', 2))
      const [first] = await storage.getOperations(batch)
      const range = await storage.backlogRange(importKey)
      expect(range.count).toBe(3)
      expect(range.oldestSeq).toBe(first?.seq)
      expect(range.newestSeq).toBeGreaterThan(range.oldestSeq as number)
      await storage.postSync(batch)
      const after = await storage.backlogRange(importKey)
      expect(after).toEqual({ count: 1, oldestSeq: range.newestSeq, newestSeq: range.newestSeq })
    })

    it('returns the backlog from the claim and from postSync, as backlogRange counts it', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'insert', ['a', 'b', 'c'])
      const batch = await claim(storage, importKey, claimOptions('a', 2))
      expect(batch.backlog).toBe(3)
      // A key registered again while its batch syncs stays, with its new sequence.
      await storage.registerOperations(importKey, 'update', ['a'])
      const resumed = await claim(storage, importKey, claimOptions('a', 2))
      expect(resumed).toMatchObject({ batchId: batch.batchId, resumed: true, backlog: 3 })
      const outcome = await storage.postSync(resumed)
      const after = await storage.backlogRange(importKey)
      expect(outcome).toEqual({ removed: 1, backlog: after.count, oldestSeq: after.oldestSeq })
      expect(after.count).toBe(2)
      // A repeat removes nothing and still says what waits.
      expect(await storage.postSync(resumed)).toEqual({ removed: 0, backlog: 2, oldestSeq: after.oldestSeq })
      const last = await claim(storage, importKey, claimOptions('a', 10))
      expect(last.backlog).toBe(2)
      expect(await storage.postSync(last)).toEqual({ removed: 2, backlog: 0, oldestSeq: null })
    })

    it('releases the lock when there is nothing to sync', async () => {
      const importKey = model()
      expect(await storage.preSync(importKey, claimOptions('a'))).toBeNull()
      await storage.registerOperations(importKey, 'insert', ['1'])
      expect(await claim(storage, importKey, claimOptions('b'))).toMatchObject({ size: 1 })
    })

    it.each([
      { name: 'insert, update', kinds: ['insert', 'update'], result: 'update' },
      { name: 'insert, insert', kinds: ['insert', 'insert'], result: 'insert' },
      { name: 'insert, delete', kinds: ['insert', 'delete'], result: 'delete' },
      { name: 'update, delete', kinds: ['update', 'delete'], result: 'delete' },
      { name: 'delete, insert', kinds: ['delete', 'insert'], result: 'update' },
      { name: 'update, update, update', kinds: ['update', 'update', 'update'], result: 'update' },
      { name: 'insert, update, delete, insert', kinds: ['insert', 'update', 'delete', 'insert'], result: 'update' },
    ] as const)('coalesces $name into $result with the latest sequence', async ({ kinds, result }) => {
      const importKey = model()
      for (const [index, kind] of kinds.entries()) {
        await storage.registerOperations(importKey, kind, [`before-${index}`])
        await storage.registerOperations(importKey, kind, ['k'])
      }
      const batch = await claim(storage, importKey)
      const operations = await storage.getOperations(batch)
      const k = operations.find((operation) => operation.key === 'k')
      expect(k?.kind).toBe(result)
      expect(k?.seq).toBe(Math.max(...operations.map((operation) => operation.seq)))
      expect(await storage.operationsCount(importKey)).toBe(1 + kinds.length)
    })

    it('coalesces every pair of kinds as combineKinds does', async () => {
      const importKey = model()
      const pairs = OPERATION_KINDS.flatMap((first) => OPERATION_KINDS.map((second) => [first, second] as const))
      for (const [first, second] of pairs) await storage.registerOperations(importKey, first, [`${first}-${second}`])
      for (const [first, second] of pairs) await storage.registerOperations(importKey, second, [`${first}-${second}`])
      const synced = await drain(storage, importKey)
      expect(synced).toEqual(
        pairs.map(([first, second]) => ({ key: `${first}-${second}`, kind: combineKinds(first, second) })),
      )
    })

    it('coalesces a key repeated within one registration', async () => {
      const importKey = model()
      expect(await storage.registerOperations(importKey, 'insert', ['a', 'b', 'a'])).toBe(3)
      expect(await storage.operationsCount(importKey)).toBe(2)
    })

    it('removes exactly the batch when operations arrive during the round', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'insert', ['a', 'b', 'c'])
      const batch = await claim(storage, importKey)
      await storage.registerOperations(importKey, 'update', ['b'])
      await storage.registerOperations(importKey, 'insert', ['d'])
      expect(await storage.getOperations(batch)).toHaveLength(3)
      expect((await storage.postSync(batch)).removed).toBe(2)
      const next = await claim(storage, importKey)
      const remaining = await storage.getOperations(next)
      expect(remaining.map(({ key, kind }) => [key, kind])).toEqual([
        ['b', 'update'],
        ['d', 'insert'],
      ])
    })

    it('resumes the claimed batch unchanged after a crash, whoever takes the lock next', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'insert', ['1', '2', '3'])
      const crashed = await claim(storage, importKey, claimOptions('worker-1', 2))
      const operations = await storage.getOperations(crashed)
      await storage.registerOperations(importKey, 'insert', ['4'])
      await harness.expireLock(importKey)
      const resumed = await claim(storage, importKey, claimOptions('worker-2', 10))
      expect(resumed).toMatchObject({ batchId: crashed.batchId, size: 2, resumed: true })
      expect(await storage.getOperations(resumed)).toEqual(operations)
      await storage.postSyncFailed(resumed, new Error('insert failed'))
      const again = await claim(storage, importKey, claimOptions('worker-3', 10))
      expect(again).toMatchObject({ batchId: crashed.batchId, resumed: true })
      expect((await storage.postSync(again)).removed).toBe(2)
      expect((await drain(storage, importKey)).map(({ key }) => key)).toEqual(['3', '4'])
    })

    it('refuses the lock to another owner while it lives, and hands it over once it expired', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'insert', ['1'])
      // Long enough for the refusal below to happen while the lock lives, even on a loaded machine.
      const first = await claim(storage, importKey, { owner: 'a', batchSize: 10, lockTtlMs: 1000 })
      await expect(storage.preSync(importKey, claimOptions('b'))).rejects.toThrow(StorageError)
      const second = await eventually(() => storage.preSync(importKey, claimOptions('b')))
      expect(second).toMatchObject({ batchId: first.batchId, resumed: true })
      expect(second.lockToken).not.toBe(first.lockToken)
    })

    it('takes the lock without claiming for work that must not overlap a round, and hands it back', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'insert', ['1'])
      const hold = await storage.takeLock(importKey, { owner: 'backfill', lockTtlMs: 30_000 })
      expect(hold).toMatchObject({ importKey, size: 0 })
      await storage.extendLock(hold, 30_000)
      await expect(storage.preSync(importKey, claimOptions('round'))).rejects.toThrow(StorageError)
      await expect(storage.takeLock(importKey, { owner: 'other', lockTtlMs: 30_000 })).rejects.toThrow(/not free/)
      await storage.releaseLock(hold)
      const batch = await claim(storage, importKey, claimOptions('round'))
      expect(await storage.getOperations(batch)).toHaveLength(1)
      await storage.postSync(batch)
    })

    it('refuses takeLock while a batch stands claimed, even with the lock released', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'insert', ['1', '2'])
      const batch = await claim(storage, importKey, claimOptions('round'))
      await storage.postSyncFailed(batch, new Error('insert failed'))
      await expect(storage.takeLock(importKey, { owner: 'backfill', lockTtlMs: 30_000 })).rejects.toThrow(
        /stands claimed/,
      )
      const resumed = await claim(storage, importKey, claimOptions('round'))
      await storage.postSync(resumed)
      const hold = await storage.takeLock(importKey, { owner: 'backfill', lockTtlMs: 30_000 })
      await storage.releaseLock(hold)
    })

    it('fences out a token that lost the lock: it can neither extend, stage nor remove', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'insert', ['1', '2'])
      const old = await claim(storage, importKey, claimOptions('a'))
      await storage.extendLock(old, 30_000)
      await harness.expireLock(importKey)
      const current = await claim(storage, importKey, claimOptions('b'))
      await expect(storage.extendLock(old, 30_000)).rejects.toThrow(StorageError)
      await expect(storage.stage(old, 'payload', Buffer.from('stale'))).rejects.toThrow(StorageError)
      await expect(storage.postSync(old)).rejects.toThrow(StorageError)
      await storage.postSyncFailed(old, new Error('late failure'))
      expect(await storage.operationsCount(importKey)).toBe(2)
      await expect(storage.preSync(importKey, claimOptions('c'))).rejects.toThrow(StorageError)
      expect((await storage.postSync(current)).removed).toBe(2)
    })

    it('lets the same owner take its lock again, fencing its older attempt', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'update', ['x'])
      const attempt1 = await claim(storage, importKey, claimOptions('wf'))
      const attempt2 = await claim(storage, importKey, claimOptions('wf'))
      expect(attempt2).toMatchObject({ batchId: attempt1.batchId, resumed: true })
      expect(attempt2.lockToken).not.toBe(attempt1.lockToken)
      await expect(storage.postSync(attempt1)).rejects.toThrow(StorageError)
      expect((await storage.postSync(attempt2)).removed).toBe(1)
    })

    it('reads a batch by its reference alone, until the batch is completed', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'insert', ['1'])
      const batch = await claim(storage, importKey)
      await storage.stage(batch, 'payload', Buffer.from('rows'))
      const ref = { importKey: batch.importKey, batchId: batch.batchId, size: batch.size }
      expect(await storage.getOperations(ref)).toEqual(await storage.getOperations(batch))
      expect(await storage.readStaged(ref, 'payload')).toEqual(Buffer.from('rows'))
      await storage.postSync(batch)
      await expect(storage.getOperations(ref)).rejects.toThrow(StorageError)
    })

    it('reports its backlog and the age of the oldest operation', async () => {
      const importKey = model()
      if (!storage.backlog) throw new Error('both storages report their backlog')
      expect(await storage.backlog(importKey)).toEqual({ size: 0, oldestAgeMs: null })
      await storage.registerOperations(importKey, 'insert', ['1', '2'])
      const backlog = await storage.backlog(importKey)
      expect(backlog.size).toBe(2)
      expect(backlog.oldestAgeMs).toBeGreaterThanOrEqual(0)
      expect(backlog.oldestAgeMs).toBeLessThan(60_000)
    })

    it('is idempotent: repeating postSync removes nothing and does not throw', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'insert', ['1'])
      const batch = await claim(storage, importKey)
      expect((await storage.postSync(batch)).removed).toBe(1)
      await storage.registerOperations(importKey, 'insert', ['1'])
      expect((await storage.postSync(batch)).removed).toBe(0)
      expect(await storage.operationsCount(importKey)).toBe(1)
    })

    it('stages binary payloads of several MB and drops them with the batch', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'insert', ['1'])
      const batch = await claim(storage, importKey)
      const payload = randomBytes(6 * 1024 * 1024)
      await storage.stage(batch, 'payload', payload)
      await storage.stage(batch, 'empty', Buffer.alloc(0))
      expect((await storage.readStaged(batch, 'payload'))?.equals(payload)).toBe(true)
      expect(await storage.readStaged(batch, 'empty')).toEqual(Buffer.alloc(0))
      expect(await storage.readStaged(batch, 'missing')).toBeNull()
      await storage.stage(batch, 'payload', Buffer.from([0, 255, 0]))
      expect(await storage.readStaged(batch, 'payload')).toEqual(Buffer.from([0, 255, 0]))
      await storage.postSync(batch)
      expect(await storage.readStaged(batch, 'payload')).toBeNull()
      await expect(storage.stage(batch, 'payload', payload)).rejects.toThrow(StorageError)
    })

    it('parks dead letters and registers them again on retry', async () => {
      const importKey = model()
      await storage.registerOperations(importKey, 'insert', ['good', 'poison'])
      const batch = await claim(storage, importKey)
      const poison = (await storage.getOperations(batch)).find((operation) => operation.key === 'poison')
      if (!poison) throw new Error('poison operation missing')
      const letter = { operation: poison, error: 'value out of range for UInt8', at: new Date().toISOString() }
      expect((await storage.postSync(batch, { deadLetters: [letter] })).removed).toBe(2)
      expect(await storage.deadLetters(importKey)).toEqual([letter])
      expect(await storage.operationsCount(importKey)).toBe(0)
      expect(await storage.retryDeadLetters(importKey)).toBe(1)
      expect(await storage.deadLetters(importKey)).toEqual([])
      const retried = await storage.getOperations(await claim(storage, importKey))
      expect(retried).toHaveLength(1)
      expect(retried[0]).toMatchObject({ key: 'poison', kind: 'insert' })
      expect(retried[0]?.seq).toBeGreaterThan(poison.seq)
    })

    it('keeps primary keys with separators, quotes, unicode, backslashes, long strings and several columns', async () => {
      const importKey = model()
      const keys = [
        'a:b',
        'a.b',
        '{braces}',
        `it's "quoted"`,
        'back\\slash',
        'ünïcödé 日本 🎉',
        'tab\tnew\nline',
        ' ',
        'z'.repeat(10_000),
        encodeKey([1, 'x:y']),
        encodeKey(['"', '\\', '日本']),
        '1-2',
      ]
      await storage.registerOperations(importKey, 'update', keys)
      const synced = (await drain(storage, importKey, 5)).map(({ key }) => key)
      expect(synced.sort()).toEqual([...keys].sort())
    })

    it('takes import keys with braces, colons and unicode', async () => {
      const importKey = `${model()}:{x}}.ü`
      await storage.registerOperations(importKey, 'insert', ['1'])
      expect(await storage.operationsCount(importKey)).toBe(1)
      expect(await drain(storage, importKey)).toEqual([{ key: '1', kind: 'insert' }])
    })

    it('loses nothing with thousands of operations from several connections while syncing', async () => {
      const importKey = model()
      const registerers = await Promise.all([1, 2, 3, 4].map(async () => harness.connect()))
      const perRegisterer = 2500
      const hot = ['hot-1', 'hot-2', 'hot-3']
      let registering = true
      const synced = new Map<string, number>()
      try {
        const writes = registerers.map(async ({ storage: own }, index) => {
          for (let start = 0; start < perRegisterer; start += 250) {
            const keys = Array.from({ length: 250 }, (_, offset) => `r${index}-${start + offset}`)
            await own.registerOperations(importKey, index % 2 ? 'update' : 'insert', [...keys, ...hot])
          }
        })
        const sync = (async () => {
          while (registering || (await storage.operationsCount(importKey)) > 0) {
            const batch = await storage.preSync(importKey, claimOptions('sync', 700))
            if (!batch) continue
            for (const { key } of await storage.getOperations(batch)) synced.set(key, (synced.get(key) ?? 0) + 1)
            await storage.postSync(batch)
          }
        })()
        await Promise.all(writes)
        registering = false
        await sync
      } finally {
        await Promise.all(registerers.map((registerer) => registerer.close()))
      }
      const expected = registerers.flatMap((_, index) =>
        Array.from({ length: perRegisterer }, (_, i) => `r${index}-${i}`),
      )
      for (const key of expected) expect(synced.get(key), key).toBe(1)
      for (const key of hot) expect(synced.get(key)).toBeGreaterThanOrEqual(1)
      expect(synced.size).toBe(expected.length + hot.length)
      expect(await storage.operationsCount(importKey)).toBe(0)
    })

    it('registers tens of thousands of keys in one call', async () => {
      const importKey = model()
      const keys = Array.from({ length: 30_000 }, (_, index) => `key-${index}`)
      expect(await storage.registerOperations(importKey, 'insert', keys)).toBe(30_000)
      expect(await storage.operationsCount(importKey)).toBe(30_000)
      const batch = await claim(storage, importKey, claimOptions('a', 20_000))
      expect(batch.size).toBe(20_000)
      const claimed = new Set((await storage.getOperations(batch)).map(({ key }) => key))
      expect(claimed.size).toBe(20_000)
      expect((await storage.postSync(batch)).removed).toBe(20_000)
      const rest = (await drain(storage, importKey, 20_000)).map(({ key }) => key)
      expect([...claimed, ...rest].sort()).toEqual([...keys].sort())
    })
  })
}
