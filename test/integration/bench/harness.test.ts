import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { BenchResult } from '../../../bench/lib/result.js'

/**
 * The benchmark harness at a tiny size: it runs end to end against the services and writes results
 * of the documented shape. Benchmarks are never timed tests: no figure is asserted.
 */
describe('npm run bench (harness smoke)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chsync-bench-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('writes results/<name>.json with a metric per figure, each beside its baseline', () => {
    const run = spawnSync(
      'npm',
      [
        'run',
        '--silent',
        'bench',
        '--',
        'registration',
        'orchestration',
        '--scale',
        '0.005',
        '--targets',
        'server',
        '--results-dir',
        dir,
      ],
      { encoding: 'utf8', timeout: 120_000 },
    )
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0)
    expect(run.stdout).toMatch(/benchmark +metric +value +baseline +ratio +target +result/)
    for (const name of ['registration', 'orchestration']) {
      const result = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as BenchResult
      expect(result).toMatchObject({ name, scale: 0.005, environment: { node: process.version } })
      expect(result.metrics.length).toBeGreaterThan(0)
      for (const metric of result.metrics) {
        expect(Object.keys(metric).sort()).toEqual(['baseline', 'name', 'pass', 'ratio', 'targets', 'unit', 'value'])
        expect([metric.value, metric.baseline.value, metric.ratio].every(Number.isFinite), metric.name).toBe(true)
        expect(metric.baseline.name).not.toBe('')
        if (metric.targets.length) expect(typeof metric.pass).toBe('boolean')
        else expect(metric.pass).toBeNull()
      }
    }
  }, 150_000)
})
