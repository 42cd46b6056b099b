import { describe, expect, it } from 'vitest'
import { BackfillRun } from '../../../workflows/backfill-state.js'
import { initialBackfillProgress } from '../../../workflows/backfill-types.js'

const ranges = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ kind: 'ctid' as const, index, fromPage: index, toPage: index + 1 }))

function run(parallel: number, count: number): BackfillRun {
  const progress = initialBackfillProgress('run-1', '2026-01-01T00:00:00.000Z')
  progress.plan = { method: 'ctid', ranges: ranges(count) }
  return new BackfillRun({ importKey: 'orders', parallel }, progress)
}

describe('BackfillRun', () => {
  it('starts at most `parallel` ranges, in plan order, and none while paused', () => {
    const backfill = run(3, 10)
    expect(backfill.nextToStart().map((range) => range.index)).toEqual([0, 1, 2])
    for (const range of backfill.nextToStart()) backfill.inFlight.add(range.index)
    expect(backfill.nextToStart()).toEqual([])
    backfill.onCopied(1, 100, 1000, '2026-01-01T00:00:10.000Z')
    expect(backfill.nextToStart().map((range) => range.index)).toEqual([3])
    backfill.pause()
    expect(backfill.nextToStart()).toEqual([])
    expect(backfill.state).toBe('paused')
  })

  it('reports rows/s over wall time, per range worker over copy time, and an ETA at that pace', () => {
    const backfill = run(2, 6)
    backfill.onCopied(0, 1000, 2000, '2026-01-01T00:00:02.000Z')
    backfill.onCopied(1, 1000, 2000, '2026-01-01T00:00:02.000Z')
    const status = backfill.status(Date.parse('2026-01-01T00:00:04.000Z'))
    expect(status).toMatchObject({ state: 'copying', ranges: 6, rangesDone: 2, rows: 2000 })
    expect(status.rowsPerSecond).toBe(500)
    expect(status.rowsPerSecondPerRange).toBe(500)
    // Four ranges of 2 s left, two at a time.
    expect(status.etaSeconds).toBe(4)
  })

  it('counts a range reported twice once and ends done with ETA 0', () => {
    const backfill = run(1, 2)
    backfill.onCopied(0, 10, 100, '2026-01-01T00:00:01.000Z')
    backfill.onCopied(0, 10, 100, '2026-01-01T00:00:01.000Z')
    backfill.onCopied(1, 10, 100, '2026-01-01T00:00:02.000Z')
    expect(backfill.status(Date.parse('2026-01-01T00:00:09.000Z'))).toMatchObject({
      state: 'done',
      rows: 20,
      etaSeconds: 0,
      finishedAt: '2026-01-01T00:00:02.000Z',
      rowsPerSecond: 10,
    })
  })

  it('blocks on a failure marked blocking and leaves it on resume', () => {
    const backfill = run(1, 2)
    backfill.onFailed(0, { message: 'bad row', type: 'PoisonRowError', at: 'now' }, true)
    expect(backfill.state).toBe('blocked')
    expect(backfill.nextToStart()).toEqual([])
    backfill.resume()
    expect(backfill.nextToStart().map((range) => range.index)).toEqual([0])
  })
})
