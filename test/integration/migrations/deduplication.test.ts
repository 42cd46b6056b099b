import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  openAlias,
  probeCapabilities,
  qualifiedTable,
  quoteIdentifier,
  type ClickHouseDatabase,
} from '../../../src/clickhouse/index.js'
import { parseConfig, type ResolvedConfig } from '../../../src/config/index.js'
import { checkModels } from '../../../src/migrations/index.js'
import { createTableStatement, defineModel, replacingMergeTree, string, uInt64 } from '../../../src/models/index.js'
import { uniqueName } from '../../utils/names.js'
import { requireEnv } from '../../utils/services-env.js'

const embeddedDir = mkdtempSync(join(tmpdir(), 'chsync-chdb-'))
const database = uniqueName('chsync_dedup')
const handmade = defineModel({
  importKey: 'handmade',
  table: 'handmade',
  fields: { id: uInt64(), name: string(), version: uInt64() },
  engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
  source: { table: 'handmade', primaryKey: ['id'] },
  deletes: 'ignore',
  routing: { writeAliases: ['modern', 'old'], readAliases: ['modern'] },
})
const created = defineModel({
  importKey: 'created',
  table: 'created',
  fields: handmade.fields,
  engine: replacingMergeTree({ orderBy: ['id'], version: 'version' }),
  source: { table: 'created', primaryKey: ['id'] },
  deletes: 'ignore',
  routing: handmade.routing,
})

const config: ResolvedConfig = parseConfig(
  {
    databases: {
      modern: { url: `chdb://${embeddedDir}`, database },
      old: { url: requireEnv('CHSYNC_CLICKHOUSE_URL'), database },
    },
    postgres: { url: requireEnv('CHSYNC_POSTGRES_URL') },
    models: [handmade, created],
  },
  { env: {} },
)
const open = (alias: 'modern' | 'old') => openAlias(config.databases[alias] as never)
/** The table as a user creates it by hand: no deduplication setting, so the server's default (0). */
const HANDMADE = `(id UInt64, name String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY id`

/** The ClickHouse-side verdict of checkModels, per alias and table. */
async function verdicts(): Promise<Record<string, string>> {
  const checks = (await checkModels(config)).filter((check) => check.alias !== 'postgres')
  return Object.fromEntries(
    checks.map((check) => [`${check.alias}:${check.model.table}`, check.error?.message ?? check.deduplication ?? 'ok']),
  )
}

async function insertWithToken(db: ClickHouseDatabase, table: string, id: number, token: string): Promise<void> {
  await db.client.insert({
    table: qualifiedTable(db.database, table),
    values: [{ id, name: `n${id}`, version: 1 }],
    format: 'JSONEachRow',
    clickhouse_settings: { insert_deduplicate: 1, insert_deduplication_token: token },
  })
}

async function rows(db: ClickHouseDatabase, table: string): Promise<number> {
  const result = await db.client.query({
    query: `SELECT count() AS n FROM ${qualifiedTable(db.database, table)}`,
    format: 'JSONEachRow',
  })
  return Number((await result.json<{ n: string }>())[0]?.n)
}

describe('checkModels on tables that would not deduplicate a retried chunk', () => {
  const dbs = { modern: open('modern'), old: open('old') }

  beforeAll(async () => {
    for (const db of Object.values(dbs)) {
      const admin = openAlias(
        { url: db === dbs.old ? requireEnv('CHSYNC_CLICKHOUSE_URL') : `chdb://${embeddedDir}` },
        'default',
      )
      await admin.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(database)}` })
      await admin.client.command({ query: `CREATE TABLE ${qualifiedTable(database, 'handmade')} ${HANDMADE}` })
      const { sql, settings } = createTableStatement(created, await probeCapabilities(admin), database)
      await admin.client.command({ query: sql, clickhouse_settings: settings })
      await admin.client.close()
    }
  })

  afterAll(async () => {
    for (const db of Object.values(dbs)) {
      await db.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
      await db.client.close()
    }
  })

  it('names a MergeTree chsync did not create, whose tokens do nothing, with the ALTER that fixes it (chDB)', async () => {
    // What the check is about: the same chunk retried with its token lands twice.
    await insertWithToken(dbs.modern, 'handmade', 1, 'chunk-1')
    await insertWithToken(dbs.modern, 'handmade', 1, 'chunk-1')
    expect(await rows(dbs.modern, 'handmade')).toBe(2)
    const found = await verdicts()
    expect(found[`modern:handmade`]).toBe(
      `table ${qualifiedTable(database, 'handmade')} ignores insert deduplication tokens ` +
        `(non_replicated_deduplication_window = 0): a retried chunk can be written twice; run ALTER TABLE ` +
        `${qualifiedTable(database, 'handmade')} MODIFY SETTING non_replicated_deduplication_window = 1000`,
    )
    expect(found[`modern:created`]).toBe('ok')
  })

  it('passes the table once the ALTER it names ran, and the retried chunk is then dropped (chDB)', async () => {
    await dbs.modern.client.command({
      query: `ALTER TABLE ${qualifiedTable(database, 'handmade')} MODIFY SETTING non_replicated_deduplication_window = 1000`,
    })
    expect((await verdicts())[`modern:handmade`]).toBe('ok')
    await insertWithToken(dbs.modern, 'handmade', 2, 'chunk-2')
    await insertWithToken(dbs.modern, 'handmade', 2, 'chunk-2')
    expect(await rows(dbs.modern, 'handmade')).toBe(3)
  })

  it('says nothing of tokens on a server that has none (18.16: the engine absorbs replays)', async () => {
    const found = await verdicts()
    expect(found[`old:handmade`]).toBe('ok')
    expect(found[`old:created`]).toBe('ok')
  })

  // Past the window: the table remembers about the last N blocks (the server evicts in steps), so a
  // chunk retried after enough other inserts into the table lands again (same key and version:
  // ReplacingMergeTree keeps one at merge time). chsync is normally the table's only writer, and a
  // table it creates remembers 1000 blocks: a retry after an outage of any length is within it.
  it('writes a chunk twice when it is retried after more blocks than the window (chDB, window 2)', async () => {
    await dbs.modern.client.command({
      query: `CREATE TABLE ${qualifiedTable(database, 'windowed')} ${HANDMADE} SETTINGS non_replicated_deduplication_window = 2`,
    })
    await insertWithToken(dbs.modern, 'windowed', 1, 'chunk-1')
    await insertWithToken(dbs.modern, 'windowed', 1, 'chunk-1')
    expect(await rows(dbs.modern, 'windowed')).toBe(1)
    for (const id of [2, 3, 4, 5, 6]) await insertWithToken(dbs.modern, 'windowed', id, `other-${id}`)
    await insertWithToken(dbs.modern, 'windowed', 1, 'chunk-1')
    expect(await rows(dbs.modern, 'windowed')).toBe(7)
  })
})
