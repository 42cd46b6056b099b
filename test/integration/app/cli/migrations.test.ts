import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quoteIdentifier } from '../../../../src/clickhouse/index.js'
import { clickhouseServer, postgresPool } from '../../../utils/clients.js'
import { uniqueName } from '../../../utils/names.js'

const run = promisify(execFile)

/** The real bin, built by `npm run build` (npm test builds first). */
function chsync(...args: string[]) {
  return run(process.execPath, ['bin/chsync.js', ...args], { env: { ...process.env, NO_COLOR: '1' } })
}

describe('chsync makemigrations / migrate / check', () => {
  const database = uniqueName('chsync_cli')
  const sourceTable = uniqueName('events')
  const dir = mkdtempSync(join(tmpdir(), 'chsync-cli-'))
  const configFile = join(dir, 'chsync.config.ts')
  const src = resolve('src/index.js')
  writeFileSync(
    configFile,
    `import { defineConfig, defineModel, mergeTree, string, uInt64 } from ${JSON.stringify(src)}
const events = defineModel({
  importKey: 'events',
  table: 'events',
  fields: { id: uInt64(), kind: string() },
  engine: mergeTree({ orderBy: ['id'] }),
  source: { table: ${JSON.stringify(sourceTable)}, primaryKey: ['id'] },
  deletes: 'ignore',
})
export default defineConfig({
  databases: { default: { url: process.env.CHSYNC_CLICKHOUSE_URL ?? '', database: ${JSON.stringify(database)} } },
  postgres: { url: process.env.CHSYNC_POSTGRES_URL ?? '' },
  models: [events],
})
`,
  )
  const pool = postgresPool()
  beforeAll(async () => {
    await pool.query(`CREATE TABLE "${sourceTable}" (id bigint PRIMARY KEY, kind text)`)
  })
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS "${sourceTable}"`)
    await pool.end()
    const admin = clickhouseServer()
    await admin.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await admin.client.close()
  })

  // Five CLI processes, each compiling the config with jiti: a minute when the machine is busy.
  it(
    'writes a migration, prints it with --dry-run, applies it once, and checks the table',
    { timeout: 180_000 },
    async () => {
      const made = await chsync(
        'makemigrations',
        '--config',
        configFile,
        '--import-from',
        resolve('src/migrations/index.js'),
      )
      expect(made.stdout).toBe(`${join(dir, 'migrations', '0001_initial.ts')}: createTable\n`)
      const dry = await chsync('migrate', '--config', configFile, '--dry-run')
      expect(dry.stdout).toContain('[dry-run] default: 0001_initial')
      expect(dry.stdout).toContain(`CREATE TABLE IF NOT EXISTS \`${database}\`.\`events\``)
      const failedCheck = (await chsync('check', '--config', configFile).catch((error: unknown) => error)) as {
        code: number
        stdout: string
      }
      expect(failedCheck.code).toBe(1)
      expect(failedCheck.stdout).toContain(`MISMATCH default: events (events)`)
      expect((await chsync('migrate', '--config', configFile)).stdout).toContain('default: 0001_initial')
      expect((await chsync('migrate', '--config', configFile)).stdout).toBe('no pending migrations\n')
      expect((await chsync('check', '--config', configFile)).stdout).toBe(
        'ok       postgres: events (events)\nok       default: events (events)\n',
      )
    },
  )

  it('names a bad config key and exits 1', async () => {
    const bad = join(dir, 'bad.config.ts')
    writeFileSync(bad, "export default { postgres: { url: 'x' }, models: [], databses: {} }\n")
    const failure = (await chsync('check', '--config', bad).catch((error: unknown) => error)) as {
      code: number
      stderr: string
    }
    expect(failure.code).toBe(1)
    expect(failure.stderr).toBe('chsync: invalid config: databses: unknown key\n')
  })

  it('names a missing source table and exits 1', async () => {
    await pool.query(`ALTER TABLE "${sourceTable}" RENAME TO "${sourceTable}_gone"`)
    try {
      const failure = (await chsync('check', '--config', configFile).catch((error: unknown) => error)) as {
        code: number
        stdout: string
      }
      expect(failure.code).toBe(1)
      expect(failure.stdout).toContain(
        `MISMATCH postgres: events (events)\n         Source table public.${sourceTable} does not exist`,
      )
    } finally {
      await pool.query(`ALTER TABLE "${sourceTable}_gone" RENAME TO "${sourceTable}"`)
    }
  })
})
