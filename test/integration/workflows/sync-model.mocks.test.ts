import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Worker } from '@temporalio/worker'
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client'
import { NON_RETRYABLE_ERROR_TYPES } from '../../../src/errors.js'
import { flushUpdate, pauseSignal, resumeSignal, statusQuery, stopSignal } from '../../../workflows/messages.js'
import { NON_RETRYABLE } from '../../../workflows/round-errors.js'
import { syncModelWorkflow } from '../../../workflows/sync-model.js'
import { stateSearchAttribute } from '../../../workflows/search-attributes.js'
import type { SyncStatus } from '../../../workflows/types.js'
import { FakeSyncActivities, configurationError } from '../../fixtures/fake-sync-activities.js'
import { recordHistory } from '../../utils/histories.js'
import { uniqueName } from '../../utils/names.js'
import { temporalTestKit, type TemporalTestKit } from '../../utils/temporal.js'
import { waitUntil } from '../../utils/wait-until.js'

/** The sync workflow's logic on the real Temporal dev server, with in-memory activities. */
describe('syncModelWorkflow (fake activities)', () => {
  let kit: TemporalTestKit
  beforeAll(async () => {
    kit = await temporalTestKit()
  })
  afterAll(() => kit.close())

  async function withWorkflow(
    fake: FakeSyncActivities,
    test: (handle: WorkflowHandleWithFirstExecutionRunId<typeof syncModelWorkflow>) => Promise<void>,
    input: { continueAsNewEveryRounds?: number } = {},
  ): Promise<void> {
    const taskQueue = uniqueName('sync-mocks')
    const worker = await Worker.create({
      connection: kit.workerConnection,
      taskQueue,
      workflowBundle: kit.bundle,
      activities: fake.activities(),
    })
    await worker.runUntil(async () => {
      const importKey = uniqueName('model')
      const handle = await kit.client.workflow.start(syncModelWorkflow, {
        taskQueue,
        workflowId: `chsync-sync-${importKey}`,
        args: [{ importKey, ...input }],
      })
      try {
        await test(handle)
      } finally {
        await handle.terminate('test over').catch(() => undefined)
      }
    })
  }

  /** Polls the status query until `predicate` holds (the workflow runs asynchronously). */
  async function until(
    handle: WorkflowHandle<typeof syncModelWorkflow>,
    predicate: (status: SyncStatus) => boolean,
  ): Promise<SyncStatus> {
    const deadline = Date.now() + 20_000
    for (;;) {
      const status = await handle.query(statusQuery)
      if (predicate(status)) return status
      if (Date.now() > deadline) throw new Error(`condition not reached; last status ${JSON.stringify(status)}`)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  it('lists the same non-retryable error types as src/errors.ts', () => {
    expect([...NON_RETRYABLE].sort()).toEqual([...NON_RETRYABLE_ERROR_TYPES].sort())
  })

  it('runs rounds back to back while a full batch waits, then waits for the delay', async () => {
    const fake = new FakeSyncActivities()
    fake.register(35)
    await withWorkflow(fake, async (handle) => {
      // syncDelay is a minute: three rounds within the test's 20 s mean no wait between them.
      const status = await until(handle, (s) => s.operationsSynced === 30)
      expect(status).toMatchObject({ state: 'running', backlog: 5, rounds: 3, lastError: null })
      expect(fake.calls.slice(0, 3)).toEqual(['preSync', 'syncBatch', 'postSync'])
      // Less than a batch left: the workflow sleeps; only a flush brings the rest now.
      expect(fake.calls.filter((call) => call === 'preSync')).toHaveLength(3)
      await handle.executeUpdate(flushUpdate, { args: [{ wait: true }] })
      expect(fake.committed.map((batch) => batch.length)).toEqual([10, 10, 10, 5])
      await handle.signal(stopSignal)
      await handle.result()
      recordHistory(handle, 'drain-then-flush')
    })
  })

  it('waits syncDelay between rounds and a flush ends the wait, returning once the backlog is synced', async () => {
    const fake = new FakeSyncActivities()
    await withWorkflow(fake, async (handle) => {
      await until(handle, () => fake.calls.includes('preSync'))
      fake.register(3)
      // syncDelay is a minute: only the flush can make this round happen within the test.
      const result = await handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: 15_000 }] })
      expect(result).toEqual({ synced: true, backlog: 0 })
      expect(fake.committed).toEqual([[1, 2, 3]])
    })
  })

  it('rejects a flush with a bad timeout in the validator', async () => {
    const fake = new FakeSyncActivities()
    await withWorkflow(fake, async (handle) => {
      await expect(handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: -1 }] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/timeoutMs must be a positive number/) as unknown },
      })
    })
  })

  it('stops starting rounds while paused and carries on after resume', async () => {
    const fake = new FakeSyncActivities()
    fake.syncDelayMs = 100
    const published = async (handle: WorkflowHandle<typeof syncModelWorkflow>, state: string) =>
      (await handle.describe()).typedSearchAttributes.get(stateSearchAttribute) === state
    await withWorkflow(fake, async (handle) => {
      await handle.signal(pauseSignal)
      await until(handle, (s) => s.state === 'paused')
      // Visible in the Web UI's ChsyncState filter at once, not only after a round.
      await waitUntil('ChsyncState paused', () => published(handle, 'paused'), 20_000)
      const callsWhenPaused = fake.calls.length
      fake.register(5)
      // A flush wakes a waiting round but a paused workflow must not start one.
      await handle.executeUpdate(flushUpdate, { args: [{}] })
      expect((await handle.query(statusQuery)).operationsSynced).toBe(0)
      expect(fake.calls.slice(callsWhenPaused).filter((call) => call === 'preSync')).toEqual([])
      await handle.signal(resumeSignal)
      await until(handle, (s) => s.operationsSynced === 5 && s.state === 'running')
      await waitUntil('ChsyncState running', () => published(handle, 'running'), 20_000)
    })
  })

  it('blocks on a configuration error, keeps the batch, and resumes after the fix', async () => {
    const fake = new FakeSyncActivities()
    fake.register(4)
    fake.failures.push({
      step: 'syncBatch',
      error: configurationError('column `price` is missing in `shop`.`orders`'),
      times: 1,
    })
    await withWorkflow(fake, async (handle) => {
      const blocked = await until(handle, (s) => s.state === 'blocked')
      expect(blocked.blocked?.message).toMatch(/column `price` is missing/)
      expect(blocked.blocked?.type).toBe('SchemaMismatchError')
      expect(fake.calls).toContain('postSyncFailed')
      expect(fake.pending).toHaveLength(4)
      // A blocked workflow refuses a flush at once instead of letting it time out.
      await expect(handle.executeUpdate(flushUpdate, { args: [{ wait: true }] })).rejects.toMatchObject({
        cause: { message: expect.stringMatching(/is blocked: column `price` is missing/) as unknown },
      })
      const described = await handle.describe()
      expect(described.typedSearchAttributes.get(stateSearchAttribute)).toBe('blocked')
      await handle.signal(resumeSignal)
      const resumed = await until(handle, (s) => s.operationsSynced === 4)
      expect(resumed).toMatchObject({ state: 'running', blocked: null })
      expect(resumed.lastError?.type).toBe('SchemaMismatchError')
      await handle.signal(stopSignal)
      await handle.result()
      recordHistory(handle, 'blocked-then-resumed')
    })
  })

  it('retries a round after a transient failure without losing the batch', async () => {
    const fake = new FakeSyncActivities()
    fake.register(3)
    // Five attempts per activity, then the round fails; the next round resumes the same batch.
    fake.failures.push({ step: 'syncBatch', error: new Error('ECONNREFUSED 127.0.0.1:55432'), times: 5 })
    await withWorkflow(fake, async (handle) => {
      const status = await until(handle, (s) => s.operationsSynced === 3)
      expect(status.lastError?.message).toMatch(/ECONNREFUSED/)
      expect(status.consecutiveFailures).toBe(0)
      expect(status.blocked).toBeNull()
      expect(fake.committed).toEqual([[1, 2, 3]])
      await handle.signal(stopSignal)
      await handle.result()
      recordHistory(handle, 'transient-failure-then-success')
    })
  }, 60_000)

  it('continues as new after N rounds, carrying its state', async () => {
    const fake = new FakeSyncActivities()
    fake.register(30)
    await withWorkflow(
      fake,
      async (handle) => {
        const status = await until(handle, (s) => s.operationsSynced === 30)
        expect(status.rounds).toBe(3)
        expect(status.roundsThisRun).toBe(1)
        const { runId } = await handle.describe()
        expect(runId).not.toBe(handle.firstExecutionRunId)
        await handle.signal(stopSignal)
        await handle.result()
        // The last run's history: it starts from the carried state.
        recordHistory(handle, 'continue-as-new-with-state')
      },
      { continueAsNewEveryRounds: 2 },
    )
  })

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  /** A gate the test opens: syncBatch waits on it, so the test can act while a round is in flight. */
  function holdSyncBatch(fake: FakeSyncActivities): () => void {
    let open = () => {}
    fake.syncBatchGate = new Promise<void>((resolve) => (open = resolve))
    return () => {
      fake.syncBatchGate = null
      open()
    }
  }

  it('answers a waiting flush across continue-as-new instead of deadlocking', async () => {
    const fake = new FakeSyncActivities()
    fake.register(15)
    const release = holdSyncBatch(fake)
    await withWorkflow(
      fake,
      async (handle) => {
        await until(handle, () => fake.calls.includes('syncBatch'))
        // Asked while round 1 (10 of 15) is in flight; round 1 ends the run, round 2 syncs the rest.
        const flush = handle.executeUpdate(flushUpdate, { args: [{ wait: true, timeoutMs: 10_000 }] })
        await until(handle, () => fake.calls.includes('backlogMark'))
        release()
        await expect(flush).resolves.toEqual({ synced: true, backlog: 0 })
        expect(fake.committed.map((batch) => batch.length)).toEqual([10, 5])
      },
      { continueAsNewEveryRounds: 1 },
    )
  }, 60_000)

  it('keeps a stop sent during the round that continues as new', async () => {
    const fake = new FakeSyncActivities()
    fake.register(25)
    const release = holdSyncBatch(fake)
    await withWorkflow(
      fake,
      async (handle) => {
        await until(handle, () => fake.calls.includes('syncBatch'))
        await handle.signal(stopSignal)
        release()
        // The run that round 1 ends carries the stop: the workflow ends, no further round starts.
        const ended = await Promise.race([handle.result().then(() => 'ended'), sleep(10_000).then(() => 'running')])
        expect(ended).toBe('ended')
        expect(fake.committed.map((batch) => batch.length)).toEqual([10])
        expect(fake.pending).toHaveLength(15)
      },
      { continueAsNewEveryRounds: 1 },
    )
  }, 60_000)

  it('keeps a flush without wait that a run could not satisfy across continue-as-new', async () => {
    const fake = new FakeSyncActivities()
    fake.register(3)
    const release = holdSyncBatch(fake)
    await withWorkflow(
      fake,
      async (handle) => {
        await until(handle, () => fake.calls.includes('syncBatch'))
        fake.register(22)
        await handle.executeUpdate(flushUpdate, { args: [{}] })
        release()
        // Run 1 syncs 3 + 10 and continues as new; run 2's first round leaves 2 (less than a batch):
        // syncDelay is a minute, so only the carried flush brings them within the test.
        await until(handle, (s) => s.operationsSynced === 25)
        expect(fake.committed.map((batch) => batch.length)).toEqual([3, 10, 10, 2])
      },
      { continueAsNewEveryRounds: 2 },
    )
  }, 60_000)

  it('ends after the stop signal, leaving the operations in the storage', async () => {
    const fake = new FakeSyncActivities()
    await withWorkflow(fake, async (handle) => {
      await until(handle, () => fake.calls.includes('preSync'))
      fake.register(2)
      await handle.signal(stopSignal)
      await handle.result()
      expect(fake.pending).toEqual([1, 2])
    })
  })
})
