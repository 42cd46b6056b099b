import type { Benchmark } from './benchmark.js'

/** Every benchmark, in the order `npm run bench` runs them (issue 7's numbering). */
export const BENCHMARKS = [
  'sync-throughput',
  'registration',
  'latency',
  'orchestration',
  'embeddings',
  'memory',
  'postgres-drain',
  'backfill',
] as const

export type BenchmarkName = (typeof BENCHMARKS)[number]

export function isBenchmarkName(value: string): value is BenchmarkName {
  return (BENCHMARKS as readonly string[]).includes(value)
}

export async function loadBenchmark(name: BenchmarkName): Promise<Benchmark> {
  const module = (await import(`../${name}.js`)) as { benchmark: Benchmark }
  return module.benchmark
}
