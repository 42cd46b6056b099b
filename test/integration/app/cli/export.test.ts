import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  createTableStatement,
  defineModel,
  replacingMergeTree,
  string,
  uInt64,
  uInt8,
} from '../../../../src/models/index.js'
import { clickhouseServer } from '../../../utils/clients.js'
import { scratchDatabase } from '../../../utils/scratch-database.js'
import { writeRound } from '../../bulk-read/sync-rounds.js'

const run = promisify(execFile)

/** The real bin, built by `npm run build` (npm test builds first). */
function chsync(...args: string[]) {
  return run(process.execPath, ['bin/chsync.js', ...args], { env: { ...process.env, NO_COLOR: '1' } })
}

const FIELDS = `{ id: uInt64(), name: string(), score: uInt8(), version: uInt64() }`
const fields = { id: uInt64(), name: string(), score: uInt8(), version: uInt64() }

describe('chsync export on the ClickHouse 18.16 server', () => {
  const scratch = scratchDatabase(clickhouseServer, 'chsync_cli_export')
  const dir = mkdtempSync(join(tmpdir(), 'chsync-export-'))
  const configFile = join(dir, 'chsync.config.ts')
  const model = defineModel({
    importKey: 'people',
    table: 'people',
    fields,
    engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    source: { table: 'people', primaryKey: ['id'] },
    deletes: 'ignore',
  })

  beforeAll(async () => {
    writeFileSync(
      configFile,
      `import { defineConfig, defineModel, replacingMergeTree, string, uInt8, uInt64 } from ${JSON.stringify(resolve('src/index.js'))}
const people = defineModel({
  importKey: 'people',
  table: 'people',
  fields: ${FIELDS},
  engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
  source: { table: 'people', primaryKey: ['id'] },
  deletes: 'ignore',
})
export default defineConfig({
  databases: { default: { url: process.env.CHSYNC_CLICKHOUSE_URL ?? '', database: ${JSON.stringify(scratch.database)} } },
  models: [people],
})
`,
    )
    const { sql, settings } = createTableStatement(model, scratch.capabilities, scratch.database)
    await scratch.db.client.command({ query: sql, clickhouse_settings: settings })
    const rows = [
      { id: 1, name: 'Ann, "the first"', score: 10 },
      { id: 2, name: 'Bo\nb', score: 20 },
      { id: 3, name: 'Cy', score: 30 },
    ]
    await writeRound(
      scratch.db,
      model,
      {
        operations: rows.map((row, i) => ({ kind: 'insert', key: String(row.id), seq: i + 1 })),
        rows: new Map(rows.map((r) => [String(r.id), r])),
      },
      false,
    )
    await writeRound(
      scratch.db,
      model,
      {
        operations: [{ kind: 'update', key: '3', seq: 10 }],
        rows: new Map([['3', { id: 3, name: 'Cy v2', score: 31 }]]),
      },
      false,
    )
  })

  it('writes the current state as JSON lines to stdout, one line per key', async () => {
    const { stdout, stderr } = await chsync('export', 'people', '--format', 'jsonl', '--config', configFile)
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines.sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      { id: '1', name: 'Ann, "the first"', score: 10, version: '1' },
      { id: '2', name: 'Bo\nb', score: 20, version: '2' },
      { id: '3', name: 'Cy v2', score: 31, version: '10' },
    ])
    expect(stderr).toMatch(/^people: 3 rows, \d+ bytes as jsonl/m)
  })

  it('writes CSV with a header to a file, filtered by a where with a parameter, and counts rows across quoted newlines', async () => {
    const file = join(dir, 'people.csv')
    const { stderr } = await chsync(
      'export',
      'people',
      '--format',
      'csv',
      '--columns',
      'id,name',
      '--where',
      'score <= {max:UInt8}',
      '--param',
      'max=20',
      '--output',
      file,
      '--config',
      configFile,
    )
    const text = readFileSync(file, 'utf8')
    expect(text.split('\n')[0]).toBe('"id","name"')
    expect(text).toContain('1,"Ann, ""the first"""')
    expect(text).toContain('2,"Bo\nb"')
    expect(text).not.toContain('Cy')
    expect(stderr).toMatch(/^people: 2 rows/m)
  })

  it('refuses parquet on 18.16 in one line naming the server and what to use instead', async () => {
    const failure = (await chsync('export', 'people', '--format', 'parquet', '--config', configFile).catch(
      (e: unknown) => e,
    )) as {
      code: number
      stderr: string
    }
    expect(failure.code).toBe(1)
    expect(failure.stderr).toMatch(
      /^chsync: export of people as parquet: ClickHouse 18\.16\.\S+ cannot write Parquet \(use --format jsonl or csv/,
    )
  })

  it('names an unknown model', async () => {
    const failure = (await chsync('export', 'nobody', '--format', 'csv', '--config', configFile).catch(
      (e: unknown) => e,
    )) as { stderr: string }
    expect(failure.stderr).toMatch(/unknown import key nobody \(known: people\)/)
  })
})
