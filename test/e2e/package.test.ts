import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { quoteIdentifier, type ClickHouseDatabase } from '../../src/clickhouse/index.js'
import { clickhouseServer, postgresPool } from '../utils/clients.js'
import { clickhouseRows, sourceRows } from '../utils/e2e.js'
import { uniqueName } from '../utils/names.js'
import { requireEnv } from '../utils/services-env.js'
import { waitUntil } from '../utils/wait-until.js'

const execFileAsync = promisify(execFile)

/**
 * chsync in a user's own project, as the README tells it: the packed tarball installed with npm
 * into an empty folder outside this repository (so nothing resolves from our node_modules), a
 * TypeScript config and model importing from 'chsync', then only `npx chsync …`. The ClickHouse
 * server is 18.16, hence CollapsingMergeTree(sign) with a version column.
 */
describe('the packed package in a fresh project', () => {
  const project = mkdtempSync(join(tmpdir(), 'chsync-project-'))
  const name = uniqueName('pkg')
  const table = `${name}_orders`
  const database = uniqueName('chsync_pkg')
  const columns = ['name', 'score']
  // A user's shell: none of the tests' CHSYNC_* settings (the config alone decides) and no npm_*
  // variables of an `npm test` that runs this file.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(CHSYNC_|npm_)/i.test(key) || key === 'CHSYNC_LOG_LEVEL'),
  )
  const run = (command: string, args: string[], cwd = project) =>
    execFileAsync(command, args, { cwd, env, maxBuffer: 32 * 1024 * 1024 }).catch((error: unknown) => {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string }
      throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error })
    })
  const npx = (...args: string[]) => run('npx', ['--no-install', 'chsync', ...args])
  let packed: string[] = []
  let pool: pg.Pool
  let ch: ClickHouseDatabase
  let worker: ChildProcess | undefined
  let workerOutput = ''

  beforeAll(async () => {
    pool = postgresPool()
    ch = clickhouseServer()
    // A module removed from the sources since an earlier build must not ship: the build starts clean.
    mkdirSync(resolve('dist/src'), { recursive: true })
    writeFileSync(resolve('dist/src/removed-module.js'), 'export {}\n')
    await run('npm', ['run', 'build'], resolve('.'))
    // --ignore-scripts: `prepare` would build again.
    const { stdout } = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', project],
      resolve('.'),
    )
    const [pack] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[]
    packed = pack?.files.map((file) => file.path) ?? []
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-app', private: true, type: 'module' }))
    // The npm cache usually has every dependency; on a fresh machine npm fetches them from the registry.
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${pack?.filename}`])
    writeFileSync(
      join(project, 'orders.ts'),
      `import { collapsingMergeTree, defineModel, int32, int8, string, uInt64 } from 'chsync'

export const orders = defineModel({
  importKey: '${name}',
  table: 'orders',
  fields: { id: uInt64(), name: string(), score: int32(), version: uInt64(), sign: int8() },
  engine: collapsingMergeTree({ orderBy: ['id'], sign: 'sign', version: 'version' }),
  source: { table: '${table}', primaryKey: ['id'] },
  sync: { syncDelayMs: 60_000 },
})
`,
    )
    writeFileSync(
      join(project, 'chsync.config.ts'),
      `import { defineConfig } from 'chsync'
import { orders } from './orders.ts'

export default defineConfig({
  databases: { default: { url: '${requireEnv('CHSYNC_CLICKHOUSE_URL')}', database: '${database}' } },
  postgres: { url: '${requireEnv('CHSYNC_POSTGRES_URL')}' },
  redis: { url: '${requireEnv('CHSYNC_REDIS_URL')}' },
  temporal: { address: '${requireEnv('CHSYNC_TEMPORAL_ADDRESS')}', taskQueue: '${name}' },
  models: [orders],
})
`,
    )
  }, 600_000)

  afterAll(async () => {
    await npx('stop', name).catch(() => undefined)
    if (worker?.pid && worker.exitCode === null) {
      const exited = new Promise((done) => worker?.once('exit', done))
      // npx does not pass signals on: the worker runs in its own process group, stopped as a whole.
      process.kill(-worker.pid, 'SIGTERM')
      await exited
    }
    await npx('capture', 'remove', name).catch(() => undefined)
    await pool?.query(`DROP TABLE IF EXISTS "${table}"`)
    await pool?.end()
    await ch?.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await ch?.client.close()
    rmSync(project, { recursive: true, force: true })
  })

  it('ships the CLI, the compiled code and its types, and no tests, fixtures or service scripts', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'bin/chsync.js',
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'dist/src/app/cli/main.js',
        'dist/workflows/index.js',
        'package.json',
      ]),
    )
    expect(packed.filter((path) => !/^(bin|dist)\/|^(package\.json|README\.md|LICENSE)$/.test(path))).toEqual([])
    expect(packed.filter((path) => /^dist\/(test|bench)\//.test(path))).toEqual([])
    const compiled = packed.filter((path) => path.startsWith('dist/') && path.endsWith('.js'))
    expect(
      compiled.filter((path) => !existsSync(resolve(path.replace(/^dist\//, '').replace(/\.js$/, '.ts')))),
    ).toEqual([])
  })

  it('syncs a table through the config, the CLI and a worker process of the project', async () => {
    await pool.query(`CREATE TABLE "${table}" (id bigint PRIMARY KEY, name text NOT NULL, score int NOT NULL)`)

    await npx('makemigrations')
    await npx('migrate')
    expect((await npx('capture', 'install', name)).stdout).toContain(`capture installed for ${name}`)
    worker = spawn('npx', ['--no-install', 'chsync', 'worker'], {
      cwd: project,
      env: { ...env, CHSYNC_LOG_LEVEL: 'info' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    worker.stdout?.on('data', (data: Buffer) => (workerOutput += data.toString()))
    worker.stderr?.on('data', (data: Buffer) => (workerOutput += data.toString()))
    await waitUntil(
      'the worker is ready',
      () => {
        if (worker?.exitCode !== null) throw new Error(`the worker exited:\n${workerOutput}`)
        return workerOutput.includes('worker ready')
      },
      120_000,
    )
    expect((await npx('start', '--all')).stdout).toContain(`${name}: running as chsync-sync-${name}`)

    await pool.query(`INSERT INTO "${table}" SELECT g, 'order ' || g, g FROM generate_series(1, 60) g`)
    await pool.query(`UPDATE "${table}" SET score = score * 10 WHERE id <= 20`)
    await pool.query(`DELETE FROM "${table}" WHERE id > 50`)
    const flushed = await npx('flush', name, '--wait', '--timeout', '60').catch((error: unknown) => {
      throw new Error(`${String(error)}\n${workerOutput.slice(-4000)}`)
    })
    expect(flushed.stdout).toContain(`${name}: synced, backlog 0`)
    const expected = await sourceRows(pool, table, columns)
    expect(expected.size).toBe(50)
    expect(await clickhouseRows(ch, database, 'orders', columns, 'collapsing')).toEqual(expected)
  })

  it("type-checks the project's config, model and generated migration against the package's types", async () => {
    mkdirSync(join(project, 'checks'), { recursive: true })
    // An `any` would accept these: the types are the package's own, resolved through its exports,
    // and those of the libraries its API names.
    writeFileSync(
      join(project, 'checks', 'types-are-real.ts'),
      `import { uInt64, withCapture } from 'chsync'
// @ts-expect-error a field is no string
export const wrong: string = uInt64()
// @ts-expect-error a pool is no number: pg's types come with the package (@types/pg)
export const pool: Parameters<typeof withCapture>[0] = 1
`,
    )
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          skipLibCheck: true,
          noEmit: true,
          allowImportingTsExtensions: true,
        },
        include: ['*.ts', 'migrations/*.ts', 'checks/*.ts'],
      }),
    )
    // This repository's TypeScript: the project has none of its own.
    await run(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', project])
  })
})
