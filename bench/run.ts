import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseOptions, toArgv } from './lib/options.js'
import { BENCHMARKS, isBenchmarkName } from './lib/registry.js'
import { formatTable, type BenchResult } from './lib/result.js'

/**
 * `npm run bench -- [names…] [--scale x] [--rows n] [--targets server,chdb] [--results-dir d]`:
 * runs each benchmark in its own process (a fresh heap for its RSS figures, its own chDB directory),
 * one after the other, then prints one table of every result.
 */
const { names, options } = parseOptions(process.argv.slice(2))
for (const name of names)
  if (!isBenchmarkName(name)) throw new Error(`unknown benchmark ${name} (${BENCHMARKS.join(', ')})`)
const selected = names.length ? names : [...BENCHMARKS]

const failed: string[] = []
for (const name of selected) {
  console.log(`▸ ${name}`)
  const code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', fileURLToPath(new URL('./run-one.js', import.meta.url)), name, ...toArgv(options)],
      { stdio: 'inherit' },
    )
    child.on('exit', (status) => resolve(status ?? 1))
  })
  if (code !== 0) failed.push(name)
}

const results = selected
  .filter((name) => !failed.includes(name))
  .map((name) => join(options.resultsDir, `${name}.json`))
  .filter((file) => existsSync(file))
  .map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchResult)
console.log(`\n${formatTable(results)}`)
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`)
  process.exitCode = 1
}
