import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Worker } from '@temporalio/worker'
import { recordedHistories } from '../../utils/histories.js'

const workflowsPath = fileURLToPath(new URL('../../../workflows/index.ts', import.meta.url))

interface HistoryJson {
  events: { activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[]
}

/**
 * Determinism: histories recorded from the workflow code replay through the current code without a
 * nondeterminism error. Re-record deliberately with CHSYNC_RECORD_HISTORIES=1 when a change is meant
 * to be incompatible (and version it with patched() instead, once workflows run in production).
 */
describe('syncModelWorkflow replay', () => {
  const histories = recordedHistories()

  it('has recorded histories of the live round to replay', () => {
    expect(histories.map((h) => h.scenario).sort()).toEqual([
      'blocked-then-resumed',
      'continue-as-new-with-state',
      'drain-then-flush',
      'transient-failure-then-success',
    ])
    for (const { history } of histories) expect(JSON.stringify(history)).toContain('"syncBatch"')
  })

  it.each(histories)('replays $scenario', async ({ scenario, history }) => {
    await expect(Worker.runReplayHistory({ workflowsPath }, history, `replay-${scenario}`)).resolves.toBeUndefined()
  })

  it('fails on a history whose round runs other steps (the check can fail)', async () => {
    const drain = histories.find((h) => h.scenario === 'drain-then-flush')
    const changed = structuredClone(drain?.history) as HistoryJson
    const scheduled = changed.events.find((event) => event.activityTaskScheduledEventAttributes)
    if (!scheduled?.activityTaskScheduledEventAttributes) throw new Error('drain-then-flush schedules no activity')
    // The retired round's first data step in place of syncBatch.
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'fetchRows'
    await expect(Worker.runReplayHistory({ workflowsPath }, changed, 'replay-changed')).rejects.toMatchObject({
      name: 'DeterminismViolationError',
      message: expect.stringMatching(/fetchRows.*does not match.*syncBatch/) as unknown,
    })
  })
})
