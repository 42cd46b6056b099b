import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Worker } from '@temporalio/worker'
import { recordedHistories } from '../../utils/histories.js'

/**
 * Determinism: histories recorded from released workflow code replay through the current code
 * without a nondeterminism error. Re-record deliberately with CHSYNC_RECORD_HISTORIES=1 when a
 * change is meant to be incompatible (and version it with patched() instead, if workflows run).
 */
describe('syncModelWorkflow replay', () => {
  const histories = recordedHistories()

  it('has recorded histories to replay', () => {
    expect(histories.map((h) => h.scenario).sort()).toEqual([
      'blocked-then-resumed',
      'drain-then-flush',
      'transient-failure-then-success',
    ])
  })

  it.each(histories)('replays $scenario', async ({ scenario, history }) => {
    await expect(
      Worker.runReplayHistory(
        { workflowsPath: fileURLToPath(new URL('../../../workflows/index.ts', import.meta.url)) },
        history,
        `replay-${scenario}`,
      ),
    ).resolves.toBeUndefined()
  })
})
