import {
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow'
import type { BackfillRange } from '../src/backfill/range.js'
import { backfillProxies } from './backfill-activity-options.js'
import { BackfillRun } from './backfill-state.js'
import { initialBackfillProgress, type BackfillInput, type BackfillStatus } from './backfill-types.js'
import { backfillStatusQuery, cancelBackfillSignal, pauseSignal, resumeSignal } from './messages.js'
import { isConfigurationError, summarize } from './round-errors.js'
import { modelSearchAttribute, stateSearchAttribute } from './search-attributes.js'

/**
 * Loads a model's existing source rows into ClickHouse, beside its live sync:
 *
 *   1. plan   cut the source table into ranges (keyset over the key's index, else ctid pages), once,
 *             in an activity; the boundaries (never rows) are kept in the workflow state
 *   2. copy   up to `parallel` ranges at a time, over every worker: each activity streams
 *             `COPY (SELECT <rendered row> … WHERE <range>) TO STDOUT` into ClickHouse with a token
 *             per range and target, and the range is recorded done when it returns
 *   3. end    when every range is done (or on `cancel`)
 *
 * Rows are written with the backfill version (docs/backfill.md): every live change wins over them.
 * A killed worker's copy is retried elsewhere and re-sent with the same token; ranges recorded done
 * are never copied again. `pause` stops starting ranges, `resume` starts them again (and leaves
 * `blocked`), `cancel` cancels the copies in flight and ends. Continues as new when suggested, once
 * no copy is in flight. Do not rename — replay.
 */
export async function backfillWorkflow(input: BackfillInput): Promise<BackfillStatus> {
  const info = workflowInfo()
  const progress = input.progress ?? initialBackfillProgress(info.firstExecutionRunId, new Date().toISOString())
  const run = new BackfillRun(input, progress)
  const { options, activities } = backfillProxies(input.activityTimeouts)
  const copies = new CancellationScope()

  setHandler(pauseSignal, () => run.pause())
  setHandler(resumeSignal, () => run.resume())
  setHandler(cancelBackfillSignal, () => run.cancel())
  setHandler(backfillStatusQuery, () => run.status(Date.now()))

  const publish = () => {
    const status = run.status(Date.now())
    upsertSearchAttributes([
      { key: modelSearchAttribute, value: run.importKey },
      { key: stateSearchAttribute, value: `backfill-${status.state}` },
    ])
    const eta = status.etaSeconds === null ? '' : `, ETA ${status.etaSeconds} s`
    setCurrentDetails(
      `**backfill ${status.state}**: ${status.rangesDone}/${status.ranges} ranges, ${status.rows} rows, ` +
        `${status.rowsPerSecond} rows/s (${status.rowsPerSecondPerRange} per range worker)${eta}`,
    )
  }

  // 1. plan: retried by the activity's policy; a configuration error blocks until `resume`.
  while (!progress.plan && !progress.cancelled) {
    publish()
    await condition(() => run.canStart || progress.cancelled)
    if (progress.cancelled) break
    try {
      progress.plan = await activities.planBackfill.executeWithOptions(
        { ...options, summary: `plan ranges of ${run.rangeRows} rows` },
        [run.importKey, run.rangeRows],
      )
    } catch (error) {
      // Transient errors retry inside the activity: what arrives here is a configuration error.
      log.warn('backfill planning failed', { importKey: run.importKey, configuration: isConfigurationError(error) })
      run.onFailed(-1, summarize(error), true)
    }
  }

  // 2. copy, at most `parallel` at a time
  const start = (range: BackfillRange) => {
    run.inFlight.add(range.index)
    const total = progress.plan?.ranges.length ?? 0
    void copies
      .run(() =>
        activities.copyRange.executeWithOptions({ ...options, summary: `copy range ${range.index + 1} of ${total}` }, [
          { importKey: run.importKey, backfillId: progress.backfillId, range },
        ]),
      )
      .then(
        (copied) => run.onCopied(range.index, copied.rows, copied.durationMs, new Date().toISOString()),
        (error: unknown) => {
          if (progress.cancelled && isCancellation(error)) return run.inFlight.delete(range.index)
          const summary = summarize(error)
          log.warn('backfill range failed', { importKey: run.importKey, range: range.index, error: summary.message })
          run.onFailed(range.index, summary, true)
        },
      )
  }
  const finished = () => run.state === 'done' || progress.cancelled
  const rollOver = () => workflowInfo().continueAsNewSuggested
  while (!finished()) {
    if (!rollOver()) for (const range of run.nextToStart()) start(range)
    publish()
    const seen = progress.done.length + run.inFlight.size
    await condition(
      () =>
        finished() ||
        progress.done.length + run.inFlight.size !== seen ||
        (!rollOver() && run.nextToStart().length > 0) ||
        (rollOver() && run.inFlight.size === 0),
    )
    if (rollOver() && run.inFlight.size === 0 && !finished()) {
      await condition(allHandlersFinished)
      await continueAsNew<typeof backfillWorkflow>({ ...input, progress })
    }
  }

  // 3. end
  if (progress.cancelled) copies.cancel()
  await condition(() => run.inFlight.size === 0)
  publish()
  log.info('backfill ended', { importKey: run.importKey, state: run.state, rows: progress.rows })
  await condition(allHandlersFinished)
  return run.status(Date.now())
}
