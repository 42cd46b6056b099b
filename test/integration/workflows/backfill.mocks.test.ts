import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Worker } from '@temporalio/worker'
import type { WorkflowHandle } from '@temporalio/client'
import type { BackfillPlan } from '../../../src/backfill/plan-ranges.js'
import type { CopyRangeInput, CopyRangeResult } from '../../../src/backfill/copy-range.js'
import { backfillWorkflow } from '../../../workflows/backfill.js'
import type { BackfillStatus } from '../../../workflows/backfill-types.js'
import { backfillStatusQuery, cancelBackfillSignal, pauseSignal, resumeSignal } from '../../../workflows/messages.js'
import { configurationError } from '../../fixtures/fake-sync-activities.js'
import { uniqueName } from '../../utils/names.js'
import { temporalTestKit, type TemporalTestKit } from '../../utils/temporal.js'

/** In-memory backfill activities: a plan of `ranges` key ranges; copies wait while `gate` is closed. */
class FakeBackfill {
  inFlight = 0
  maxInFlight = 0
  copied: number[] = []
  gate = true
  /** Range indices whose next copy fails with a configuration error. */
  failing = new Set<number>()

  constructor(readonly ranges: number) {}

  activities() {
    return {
      planBackfill: (): Promise<BackfillPlan> =>
        Promise.resolve({
          method: 'key',
          ranges: Array.from({ length: this.ranges }, (_, index) => ({
            kind: 'key' as const,
            index,
            after: index === 0 ? null : [String(index * 10)],
            upTo: index === this.ranges - 1 ? null : [String((index + 1) * 10)],
          })),
        }),
      copyRange: async (input: CopyRangeInput): Promise<CopyRangeResult> => {
        this.inFlight += 1
        this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
        try {
          while (!this.gate) await new Promise((resolve) => setTimeout(resolve, 10))
          await new Promise((resolve) => setTimeout(resolve, 20))
          if (this.failing.delete(input.range.index)) throw configurationError(`range ${input.range.index} is bad`)
          this.copied.push(input.range.index)
          return { rows: 10, excluded: 0, durationMs: 20 }
        } finally {
          this.inFlight -= 1
        }
      },
    }
  }
}

describe('backfillWorkflow (fake activities)', () => {
  let kit: TemporalTestKit
  beforeAll(async () => {
    kit = await temporalTestKit()
  })
  afterAll(() => kit.close())

  async function withBackfill(
    fake: FakeBackfill,
    parallel: number,
    test: (handle: WorkflowHandle<typeof backfillWorkflow>) => Promise<void>,
  ): Promise<void> {
    const taskQueue = uniqueName('backfill-mocks')
    const worker = await Worker.create({
      connection: kit.workerConnection,
      taskQueue,
      workflowBundle: kit.bundle,
      activities: fake.activities(),
    })
    await worker.runUntil(async () => {
      const importKey = uniqueName('model')
      const handle = await kit.client.workflow.start(backfillWorkflow, {
        taskQueue,
        workflowId: `chsync-backfill-${importKey}`,
        args: [{ importKey, parallel, rangeRows: 10 }],
      })
      try {
        await test(handle)
      } finally {
        await handle.terminate('test over').catch(() => undefined)
      }
    })
  }

  async function until(
    handle: WorkflowHandle<typeof backfillWorkflow>,
    predicate: (status: BackfillStatus) => boolean,
  ): Promise<BackfillStatus> {
    const deadline = Date.now() + 20_000
    for (;;) {
      const status = await handle.query(backfillStatusQuery)
      if (predicate(status)) return status
      if (Date.now() > deadline) throw new Error(`condition not reached; last status ${JSON.stringify(status)}`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  it('copies every range exactly once with at most `parallel` copies in flight', async () => {
    const fake = new FakeBackfill(12)
    await withBackfill(fake, 3, async (handle) => {
      const result = await handle.result()
      expect(result).toMatchObject({ state: 'done', ranges: 12, rangesDone: 12, rows: 120, etaSeconds: 0 })
      expect([...fake.copied].sort((a, b) => a - b)).toEqual([...Array(12).keys()])
      expect(fake.maxInFlight).toBe(3)
    })
  })

  it('starts no range while paused and goes on after resume', async () => {
    const fake = new FakeBackfill(6)
    fake.gate = false
    await withBackfill(fake, 2, async (handle) => {
      await until(handle, (s) => s.rangesInFlight === 2)
      await handle.signal(pauseSignal)
      fake.gate = true
      const paused = await until(handle, (s) => s.state === 'paused' && s.rangesInFlight === 0)
      expect(paused.rangesDone).toBe(2)
      expect(fake.copied).toHaveLength(2)
      await handle.signal(resumeSignal)
      expect(await handle.result()).toMatchObject({ state: 'done', rangesDone: 6 })
    })
  })

  it('blocks on a configuration error, naming it, and copies the range after resume', async () => {
    const fake = new FakeBackfill(4)
    fake.failing.add(2)
    await withBackfill(fake, 1, async (handle) => {
      const blocked = await until(handle, (s) => s.state === 'blocked')
      expect(blocked.blocked?.message).toContain('range 2 is bad')
      expect(blocked.rangesDone).toBe(2)
      await handle.signal(resumeSignal)
      expect(await handle.result()).toMatchObject({ state: 'done', rangesDone: 4 })
      expect(fake.copied).toEqual([0, 1, 2, 3])
    })
  })

  it('ends cancelled on cancel, with the ranges copied so far recorded', async () => {
    const fake = new FakeBackfill(5)
    await withBackfill(fake, 1, async (handle) => {
      await until(handle, (s) => s.rangesDone >= 1)
      fake.gate = false
      await handle.signal(cancelBackfillSignal)
      const result = await handle.result()
      expect(result.state).toBe('cancelled')
      expect(result.rangesDone).toBeLessThan(5)
      fake.gate = true
    })
  })
})
