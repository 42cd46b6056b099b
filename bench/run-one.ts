import { loadServicesEnv } from './lib/env.js'
import { parseOptions } from './lib/options.js'
import { isBenchmarkName, loadBenchmark } from './lib/registry.js'
import { environment, formatTable, writeResult, type BenchResult } from './lib/result.js'
import { closeTargets } from './lib/target.js'

/** Runs ONE benchmark in this process (run.ts gives each its own): `run-one.js <name> [flags]`. */
loadServicesEnv()
const { names, options } = parseOptions(process.argv.slice(2))
const [name] = names
if (!name || !isBenchmarkName(name)) throw new Error(`usage: run-one.ts <benchmark> [flags] (got ${name})`)
const benchmark = await loadBenchmark(name)
const startedAt = new Date()
const started = performance.now()
try {
  const { metrics, details, clickhouse } = await benchmark.run(options)
  const result: BenchResult = {
    name,
    description: benchmark.description,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    scale: options.scale,
    environment: environment(clickhouse),
    metrics,
    details,
  }
  const file = writeResult(options.resultsDir, result)
  console.log(`${formatTable([result])}\n(${file}, ${(result.durationMs / 1000).toFixed(1)} s)\n`)
} finally {
  await closeTargets()
}
// Native handles (the Temporal runtime, chDB) may keep the loop alive after everything closed.
process.exit(0)
