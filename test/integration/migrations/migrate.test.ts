import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openAlias, qualifiedTable, quoteIdentifier, type ClickHouseDatabase } from '../../../src/clickhouse/index.js'
import { parseConfig, type DatabaseConfig, type ResolvedConfig } from '../../../src/config/index.js'
import { SchemaMismatchError } from '../../../src/errors.js'
import {
  checkModel,
  makeMigrations,
  migrate,
  readLiveColumns,
  stringLiteral,
  MIGRATIONS_TABLE,
} from '../../../src/migrations/index.js'
import {
  defineModel,
  lowCardinality,
  mergeTree,
  nullable,
  replacingMergeTree,
  string,
  uInt32,
  uInt64,
} from '../../../src/models/index.js'
import { writeAliases } from '../../../src/routing/index.js'
import { serializeBatch } from '../../../src/serializers/index.js'
import { requireEnv } from '../../utils/services-env.js'
import { uniqueName } from '../../utils/names.js'

const srcMigrations = resolve('src/migrations/index.js')
const embeddedDir = mkdtempSync(join(tmpdir(), 'chsync-chdb-'))
const databases = { a: uniqueName('chsync_mig_a'), b: uniqueName('chsync_mig_b'), old: uniqueName('chsync_mig_old') }
/** The makeMigrations test's own databases: its migration history must not meet the migrate test's. */
const fresh = { a: uniqueName('chsync_mk_a'), b: uniqueName('chsync_mk_b'), old: uniqueName('chsync_mk_old') }

const usersFields = { id: uInt64(), name: lowCardinality(string()), version: uInt64() }
const users = defineModel({
  importKey: 'users',
  table: 'users',
  fields: usersFields,
  engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
  source: { table: 'users', primaryKey: ['id'] },
  deletes: 'ignore',
  routing: { writeAliases: ['a', 'b', 'old'], readAliases: ['a'], migrateNonReplicatedAliases: ['a', 'b', 'old'] },
})
/** Only on the two embedded aliases. */
const events = defineModel({
  importKey: 'events',
  table: 'events',
  fields: { id: uInt64(), kind: string() },
  engine: mergeTree({ orderBy: ['id'] }),
  source: { table: 'events', primaryKey: ['id'] },
  deletes: 'ignore',
  routing: { migrateNonReplicatedAliases: ['a', 'b'] },
})

function configWith(models: unknown[], migrationsDir: string, names = databases): ResolvedConfig {
  return parseConfig(
    {
      databases: {
        a: { url: `chdb://${embeddedDir}`, database: names.a },
        b: { url: `chdb://${embeddedDir}`, database: names.b },
        old: { url: requireEnv('CHSYNC_CLICKHOUSE_URL'), database: names.old },
        reader: { url: `chdb://${embeddedDir}`, database: names.a, readonly: true },
      },
      postgres: { url: 'postgres://unused@127.0.0.1/unused' },
      models,
      migrationsDir,
    },
    { env: {} },
  )
}

function open(config: ResolvedConfig, alias: string): ClickHouseDatabase {
  const database = config.databases[alias]
  if (!database) throw new Error(`no alias ${alias}`)
  return openAlias(database)
}

async function count(db: ClickHouseDatabase, table: string): Promise<number> {
  const result = await db.client.query({
    query: `SELECT count() AS n FROM ${qualifiedTable(db.database, table)}`,
    format: 'JSONEachRow',
  })
  return Number((await result.json<{ n: string }>())[0]?.n)
}

afterAll(async () => {
  for (const alias of ['a', 'b', 'old'] as const) {
    const admin = openAlias(
      { url: alias === 'old' ? requireEnv('CHSYNC_CLICKHOUSE_URL') : `chdb://${embeddedDir}` },
      'default',
    )
    for (const name of [databases[alias], fresh[alias]])
      await admin.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(name)}` })
    await admin.client.close()
  }
})

describe('migrate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'chsync-migrations-'))
  mkdirSync(dir, { recursive: true })
  writeFileSync(
    join(dir, '0001_initial.ts'),
    `import { createTable } from ${JSON.stringify(srcMigrations)}\nexport default [createTable('users'), createTable('events')]\n`,
  )
  const config = configWith([users, events], dir)

  it('prints each statement with dryRun and changes nothing', async () => {
    const lines: string[] = []
    const result = await migrate(config, { dryRun: true, log: (line) => lines.push(line) })
    expect(result.applied).toEqual([
      { alias: 'a', migration: '0001_initial' },
      { alias: 'b', migration: '0001_initial' },
      { alias: 'old', migration: '0001_initial' },
    ])
    expect(lines.filter((line) => line.startsWith('CREATE TABLE')).length).toBe(5)
    const admin = openAlias(config.databases.old as DatabaseConfig, 'default')
    const exists = await admin.client.query({
      query: `SELECT count() AS n FROM system.databases WHERE name = ${stringLiteral(databases.old)}`,
      format: 'JSONEachRow',
    })
    expect(await exists.json()).toEqual([{ n: '0' }])
    await admin.client.close()
  })

  it('applies each migration once per alias, per routing, and skips readonly aliases; twice = once', async () => {
    const first = await migrate(config, { log: () => undefined })
    expect(first.skipped).toEqual([{ alias: 'reader', reason: 'readonly' }])
    expect(first.applied).toHaveLength(3)
    const second = await migrate(config, { log: () => undefined })
    expect(second.applied).toEqual([])
    for (const alias of ['a', 'b', 'old']) {
      const db = open(config, alias)
      expect(await count(db, MIGRATIONS_TABLE)).toBe(1)
      expect([...(await readLiveColumns(db, 'users')).keys()]).toEqual(['id', 'name', 'version'])
      expect((await readLiveColumns(db, 'events')).size).toBe(alias === 'old' ? 0 : 2)
      await checkModel(db, users)
      await db.client.close()
    }
  })

  it('routes writes to every write alias of the model', async () => {
    const batch = serializeBatch(users, {
      operations: [{ kind: 'insert', key: '1', seq: 1 }],
      rows: new Map([['1', { id: 1, name: 'ann' }]]),
    })
    const aliases = writeAliases(users, config)
    expect(aliases).toEqual(['a', 'b', 'old'])
    for (const alias of aliases) {
      const db = open(config, alias)
      await db.client.insert({ table: qualifiedTable(db.database, 'users'), values: batch.rows, format: 'JSONEachRow' })
      expect(await count(db, 'users')).toBe(1)
      await db.client.close()
    }
  })

  it('reports a table that does not match its model, naming table, column, expected and actual type', async () => {
    const changed = defineModel({
      ...{ importKey: 'users', table: 'users', source: users.source, deletes: 'ignore' as const },
      fields: { ...usersFields, name: string(), visits: uInt32() },
      engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
    })
    const db = open(config, 'b')
    const check = checkModel(db, changed)
    await expect(check).rejects.toThrow(SchemaMismatchError)
    await expect(checkModel(db, changed)).rejects.toThrow(
      `table ${databases.b}.users does not match model users: column name: expected String, actual LowCardinality(String); column visits: missing (expected UInt32)`,
    )
    await db.client.close()
  })
})

describe('makeMigrations', () => {
  it('writes the next migration from the models, then an alterTable that migrate applies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chsync-makemigrations-'))
    const first = await makeMigrations(configWith([events], dir, fresh), { importFrom: srcMigrations })
    expect(first?.path).toBe(join(dir, '0001_initial.ts'))
    expect(readFileSync(first?.path ?? '', 'utf8')).toContain(
      'createTable("events", { snapshot: {"id":"UInt64","kind":"String"} })',
    )
    expect(await makeMigrations(configWith([events], dir, fresh), { importFrom: srcMigrations })).toBeNull()

    const grown = defineModel({
      importKey: 'events',
      table: 'events',
      fields: { id: uInt64(), kind: string(), note: nullable(string()) },
      engine: mergeTree({ orderBy: ['id'] }),
      source: { table: 'events', primaryKey: ['id'] },
      deletes: 'ignore',
      routing: { migrateNonReplicatedAliases: ['old'] },
    })
    const config = configWith([grown], dir, fresh)
    const second = await makeMigrations(config, { importFrom: srcMigrations })
    expect(second?.path).toBe(join(dir, '0002_auto.ts'))
    expect(second?.operations.map((operation) => operation.kind)).toEqual(['alterTable'])

    const lines: string[] = []
    await migrate(config, { database: 'old', to: 1, log: (line) => lines.push(line) })
    const db = open(config, 'old')
    expect([...(await readLiveColumns(db, 'events')).keys()]).toEqual(['id', 'kind'])
    await expect(checkModel(db, grown)).rejects.toThrow(/column note: missing \(expected Nullable\(String\)\)/)
    lines.length = 0
    await migrate(config, { database: 'old', dryRun: true, log: (line) => lines.push(line) })
    expect(lines).toEqual([
      '[dry-run] old: 0002_auto',
      `ALTER TABLE \`${fresh.old}\`.\`events\` ADD COLUMN \`note\` Nullable(String) AFTER \`kind\`;`,
    ])
    await migrate(config, { database: 'old', log: () => undefined })
    expect([...(await readLiveColumns(db, 'events')).keys()]).toEqual(['id', 'kind', 'note'])
    await checkModel(db, grown)
    await db.client.close()
  })
})
