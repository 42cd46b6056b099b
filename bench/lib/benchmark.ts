import type { BenchOptions } from './options.js'
import type { BenchResult, Metric } from './result.js'

/** One benchmark: a file of bench/ exporting `benchmark`. */
export interface Benchmark {
  name: string
  description: string
  run(options: BenchOptions): Promise<{
    metrics: Metric[]
    details: Record<string, unknown>
    clickhouse: Record<string, string>
  }>
}

export type { BenchResult }
