import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'

/** A target a figure is held to: the ratio to its baseline, or the value itself. */
export interface Target {
  /** What is compared: `ratio` (value ÷ baseline) or `value`. */
  of: 'ratio' | 'value'
  op: '>=' | '<='
  limit: number
}

/** One figure, always next to a baseline measured in the same run on the same data. */
export interface Metric {
  name: string
  unit: string
  value: number
  /** What the baseline is (e.g. "COPY → one insert stream") and its figure, same unit. */
  baseline: { name: string; value: number }
  /** value ÷ baseline. */
  ratio: number
  /** Targets from issue 7; a metric without one is informative. */
  targets: Target[]
  /** Whether every target holds; null when there is none. */
  pass: boolean | null
}

/** What `bench/results/<name>.json` holds. */
export interface BenchResult {
  name: string
  description: string
  startedAt: string
  durationMs: number
  scale: number
  environment: { node: string; cpus: number; memoryMb: number; clickhouse: Record<string, string> }
  metrics: Metric[]
  /** Sizes used and anything else worth keeping (per-step timings, RSS samples, …). */
  details: Record<string, unknown>
}

export function metric(
  name: string,
  unit: string,
  value: number,
  baseline: { name: string; value: number },
  targets: Target[] = [],
): Metric {
  const ratio = baseline.value === 0 ? 0 : value / baseline.value
  const holds = (target: Target) => {
    const x = target.of === 'ratio' ? ratio : value
    return target.op === '>=' ? x >= target.limit : x <= target.limit
  }
  return { name, unit, value, baseline, ratio, targets, pass: targets.length ? targets.every(holds) : null }
}

export function environment(clickhouse: Record<string, string>): BenchResult['environment'] {
  return { node: process.version, cpus: cpus().length, memoryMb: Math.round(totalmem() / 2 ** 20), clickhouse }
}

export function writeResult(dir: string, result: BenchResult): string {
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `${result.name}.json`)
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n')
  return file
}

const round = (x: number) =>
  Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : Number(x.toPrecision(3)).toString()

function describeTarget(target: Target, unit: string): string {
  return target.of === 'ratio' ? `ratio ${target.op} ${target.limit}` : `${target.op} ${round(target.limit)} ${unit}`
}

/** The stdout table: value, baseline, ratio, target, pass/miss. */
export function formatTable(results: readonly BenchResult[]): string {
  const rows = [['benchmark', 'metric', 'value', 'baseline', 'ratio', 'target', 'result']]
  for (const result of results) {
    for (const m of result.metrics) {
      rows.push([
        result.name,
        m.name,
        `${round(m.value)} ${m.unit}`,
        `${round(m.baseline.value)} (${m.baseline.name})`,
        m.ratio.toFixed(2),
        m.targets.map((t) => describeTarget(t, m.unit)).join(', ') || '-',
        m.pass === null ? '-' : m.pass ? 'pass' : 'MISS',
      ])
    }
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length)))
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] as number)).join('  ')).join('\n')
}
