/** What a benchmark run was asked for on the command line (`npm run bench -- [names…] [flags]`). */
export interface BenchOptions {
  /** Multiplies every default size: `--scale 0.01` (or CHSYNC_BENCH_SCALE) for a quick run. @default 1 */
  scale: number
  /** Source rows of the sync-throughput benchmark. @default 1,000,000 × scale */
  rows?: number
  /** ClickHouse targets to run against. @default ['server', 'chdb'] */
  targets: Target[]
  /** Where results/<name>.json are written. @default bench/results */
  resultsDir: string
}

export const TARGETS = ['server', 'chdb'] as const
export type Target = (typeof TARGETS)[number]

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const names: string[] = []
  const options: BenchOptions = {
    scale: Number(env.CHSYNC_BENCH_SCALE ?? 1),
    targets: [...TARGETS],
    resultsDir: 'bench/results',
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const value = () => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${arg} needs a value`)
      return next
    }
    if (arg === '--scale') options.scale = Number(value())
    else if (arg === '--rows') options.rows = Number(value())
    else if (arg === '--targets') options.targets = value().split(',').filter(isTarget)
    else if (arg === '--results-dir') options.resultsDir = value()
    else if (arg.startsWith('--')) throw new Error(`unknown flag ${arg} (--scale, --rows, --targets, --results-dir)`)
    else names.push(arg)
  }
  if (!(options.scale > 0)) throw new Error(`--scale must be a positive number`)
  if (options.rows !== undefined && !(options.rows > 0)) throw new Error(`--rows must be a positive number`)
  return { names, options }
}

function isTarget(value: string): value is Target {
  if ((TARGETS as readonly string[]).includes(value)) return true
  throw new Error(`unknown target ${value} (${TARGETS.join(', ')})`)
}

/** A default size times the scale, at least `min`. */
export function scaled(options: BenchOptions, size: number, min = 1): number {
  return Math.max(min, Math.round(size * options.scale))
}

export function toArgv(options: BenchOptions): string[] {
  return [
    '--scale',
    String(options.scale),
    ...(options.rows !== undefined ? ['--rows', String(options.rows)] : []),
    '--targets',
    options.targets.join(','),
    '--results-dir',
    options.resultsDir,
  ]
}
