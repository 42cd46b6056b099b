import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { listMigrations, loadMigration } from '../../../src/migrations/index.js'

describe('listMigrations', () => {
  it('lists numbered files in number order and ignores the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chsync-files-'))
    for (const file of ['0010_b.ts', '0002_a.ts', 'README.md', '_helpers.ts']) writeFileSync(join(dir, file), '')
    expect(listMigrations(dir).map((file) => [file.number, file.name])).toEqual([
      [2, '0002_a'],
      [10, '0010_b'],
    ])
    expect(listMigrations(join(dir, 'missing'))).toEqual([])
  })

  it('refuses two files with one number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chsync-files-'))
    for (const file of ['0001_a.ts', '0001_b.ts']) writeFileSync(join(dir, file), '')
    expect(() => listMigrations(dir)).toThrow(ConfigError)
    expect(() => listMigrations(dir)).toThrow(/share number 1/)
  })
})

describe('loadMigration', () => {
  it('refuses a file that does not export a list of operations, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chsync-files-'))
    writeFileSync(join(dir, '0001_bad.ts'), "export default [{ kind: 'createIndex' }]\n")
    const [file] = listMigrations(dir)
    await expect(loadMigration(file as never)).rejects.toThrow(/migration 0001_bad, operation 0: expected createTable/)
  })
})
