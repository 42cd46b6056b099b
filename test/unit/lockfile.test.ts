import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { lockProblems, type LockFile, type Manifest } from '../../scripts/check-lock.mjs'

const read = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T
const manifest = read<Manifest>('package.json')
const lock = read<LockFile>('package-lock.json')

describe('lockProblems', () => {
  it('finds the committed lock complete, so npm ci needs nothing from the registry beyond it', () => {
    expect(lockProblems(lock, manifest)).toEqual([])
  })

  it('reports an optional platform package missing from the lock', () => {
    const packages = { ...lock.packages }
    delete packages['node_modules/@chdb/lib-darwin-arm64']
    expect(lockProblems({ ...lock, packages }, manifest)).toEqual([
      'node_modules/chdb needs @chdb/lib-darwin-arm64, which the lock does not list',
    ])
  })

  it('reports a dependency of package.json the lock does not record', () => {
    const withExtra = { ...manifest, dependencies: { ...manifest.dependencies, 'left-pad': '1.3.0' } }
    expect(lockProblems(lock, withExtra)).toContain('package.json dependencies.left-pad is 1.3.0, the lock has nothing')
  })

  it('reports a non-platform entry without an integrity hash', () => {
    const packages = {
      ...lock.packages,
      'node_modules/zod': { ...lock.packages?.['node_modules/zod'], integrity: undefined },
    }
    expect(lockProblems({ ...lock, packages }, manifest)).toEqual(['node_modules/zod has no integrity hash'])
  })
})
