import { SyncMetrics } from '../src/metrics/metrics.js'
import * as steps from '../src/sync/steps.js'
import type { Benchmark } from './lib/benchmark.js'
import { ChsyncRun } from './lib/chsync.js'
import { ordersModel } from './lib/models.js'
import { scaled } from './lib/options.js'
import { metric } from './lib/result.js'
import { createOrdersTable, openPool, sourceKeys } from './lib/source.js'
import { temporalFloorMs } from './lib/floor/index.js'
import { timed } from './lib/stats.js'
import { stepTimes } from './lib/steps.js'
import { clickhouseVersions, countRows, openTarget, recreateTable } from './lib/target.js'

const BATCH = 10
const DIRECT = 'steps called directly'
const FLOOR = 'empty round: local, scheduled, local activity'

/**
 * 4. Orchestration overhead per round with small batches (10 rows): a backlog drained by the
 * workflow, round wall time minus the time spent inside the activities (the worker's step
 * histogram) — what Temporal costs per round. Baselines: Temporal's floor on this machine (as many
 * rounds of the same shape with empty activities, bench/lib/floor) for the overhead, and the same
 * steps called back to back in this process on the same backlog, no Temporal, for the wall time.
 */
export const benchmark: Benchmark = {
  name: 'orchestration',
  description: 'Temporal overhead per round (10-row batches): round wall time minus activity time',
  async run(options) {
    const rounds = scaled(options, 300, 5)
    const target = await openTarget(options.targets[0] ?? 'server', 'orchestration')
    const pool = openPool()
    const model = ordersModel({ importKey: 'bench_orchestration', sourceTable: 'bench_orch_src', batchSize: BATCH })
    const stepMetrics = new SyncMetrics({ processMetrics: false })
    const run = await new ChsyncRun(target, [model]).open({ metrics: stepMetrics })
    try {
      await createOrdersTable(pool, model.source.table, rounds * BATCH)
      await recreateTable(target, model)
      const keys = await sourceKeys(pool, model.source.table)
      const storage = run.storage(model.importKey)
      await run.resetStorage([model.importKey])

      // Baseline: the round's steps back to back, in this process.
      await storage.registerOperations(model.importKey, 'insert', keys)
      const direct = await timed(async () => {
        let count = 0
        for (;;) {
          const pre = await steps.preSync(run.runtime, model.importKey, 'bench-direct')
          if (!pre.claim) break
          const frozen = await steps.fetchAndSerialize(run.runtime, pre.claim, undefined, pre.claim.resumed)
          await steps.insertBatch(run.runtime, pre.claim, undefined, () => undefined, 1, undefined, frozen.payload)
          await steps.postSync(run.runtime, pre.claim)
          count++
        }
        return count
      })
      await recreateTable(target, model)

      await storage.registerOperations(model.importKey, 'insert', keys)
      const workflow = await timed(async () => {
        await run.start([model.importKey])
        await run.drained([model.importKey], 10 * 60_000)
      })
      const rows = await countRows(target, model.table)
      if (rows !== keys.length) throw new Error(`${model.table} holds ${rows} rows, expected ${keys.length}`)
      const floorMs = await temporalFloorMs(rounds)
      const times = await stepTimes(stepMetrics)
      const roundMs = workflow.ms / times.rounds
      const directRoundMs = direct.ms / direct.value
      const overheadMs = (workflow.ms - times.totalMs) / times.rounds
      return {
        metrics: [
          metric('overhead per round', 'ms', overheadMs, { name: FLOOR, value: floorMs }, [
            { of: 'value', op: '<=', limit: 50 },
          ]),
          metric('round wall time', 'ms', roundMs, { name: DIRECT, value: directRoundMs }),
        ],
        details: {
          batchSize: BATCH,
          floorMsPerRound: floorMs,
          directRounds: direct.value,
          workflowMs: Math.round(workflow.ms),
          directMs: Math.round(direct.ms),
          ...times,
        },
        clickhouse: clickhouseVersions([target]),
      }
    } finally {
      await run.close()
      await pool.end()
    }
  },
}
