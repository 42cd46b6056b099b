import { afterAll, beforeAll, describe, expect } from 'vitest'
import { escapeIdentifier } from 'pg'
import type pg from 'pg'
import { qualifiedTable, quoteIdentifier } from '../../../src/clickhouse/index.js'
import { defineModel, int32, replacingMergeTree, string, uInt64, uInt8 } from '../../../src/models/index.js'
import { installCapture, removeCapture } from '../../../src/capture/index.js'
import { encodeKey } from '../../../src/source/keys.js'
import { statusQuery } from '../../../workflows/messages.js'
import { clickhouseEmbedded, postgresPool } from '../../utils/clients.js'
import { writeUsersConfig } from '../../utils/config-file.js'
import { clickhouseRows, createTables, type RowNaming } from '../../utils/e2e.js'
import { faultScenario, verifySync } from '../../utils/faults.js'
import { uniqueName } from '../../utils/names.js'
import { SyncHarness } from '../../utils/sync-harness.js'
import { usersModel, usersSourceDDL } from '../../utils/users-model.js'

/**
 * Bad input in rows: values that do not fit their column (parked with the reason, re-queued after
 * the fix, the rest of the batch synced), and keys and names that need quoting or try SQL injection
 * on both sides — composite keys of text and int, table and column names with spaces, quotes,
 * backticks, backslashes and unicode. Embedded ClickHouse 26.x.
 */
const group = 'Bad input'

describe('bad input in rows, keys and names', () => {
  const database = uniqueName('chsync_badrows')
  const ch = clickhouseEmbedded()
  const canary = uniqueName('canary')
  const poisonKey = uniqueName('poison')
  // uInt8 scores: a source score above 255 does not fit and must be parked, not block the rest.
  const poison = usersModel({ importKey: poisonKey, table: 'poison', sourceTable: poisonKey, score: uInt8() })

  // A table CHECK constraint the source does not have: ClickHouse itself rejects the row.
  const checkedKey = uniqueName('checked')
  const checked = usersModel({ importKey: checkedKey, table: 'checked', sourceTable: checkedKey })

  // Names that need quoting everywhere, and try to end the statement they are put in.
  const oddKey = uniqueName('odd')
  const oddSource = `${oddKey} "Ü" \`x\`; --`
  const source = { key: 'Key "Text"', n: 'N°', name: "Name's \\" }
  const odd = defineModel({
    importKey: oddKey,
    table: 'odd "table" `ü`; --',
    fields: { 'key text': string(), 'n°': int32(), 'na`me\\': string(), version: uInt64(), is_deleted: uInt8() },
    engine: replacingMergeTree({ orderBy: ['key text', 'n°'], version: 'version', isDeleted: 'is_deleted' }),
    source: { table: oddSource, primaryKey: [source.key, source.n] },
    columns: { 'key text': source.key, 'n°': source.n, 'na`me\\': source.name },
    sync: { syncDelayMs: 60_000, batchSize: 1000 },
  })
  const injections = [
    `'); DROP TABLE ${canary}; --`,
    `"); DROP TABLE "${canary}"; --`,
    `\`; DROP TABLE \`${canary}\`; --`,
    `\\'; DROP TABLE ${canary}; --`,
  ]
  const keys = ['plain', `it's`, 'a:b', 'c.d', 'ünï 🙂', 'back\\slash\\', '"quoted"', 'k'.repeat(10_000), ...injections]
  const naming: RowNaming = {
    key: { source: [source.key, source.n], target: ['key text', 'n°'] },
    renamed: { 'na`me\\': source.name },
  }
  let pool: pg.Pool
  let harness: SyncHarness

  const verify = (importKey: string, sourceTable: string, table: string, columns: string[], rowNaming?: RowNaming) =>
    verifySync({
      pool,
      sourceTable,
      ch,
      database,
      table,
      columns,
      engine: 'replacing',
      storage: harness.storage(importKey),
      importKey,
      ...(rowNaming ? { naming: rowNaming } : {}),
    })

  /** `chsync retry-dead` through the real bin, on a config naming the model (it only needs the storage). */
  const retryDead = async (importKey: string) => {
    const config = writeUsersConfig({ sourceTable: importKey, importKey })
    return (await config.chsync('retry-dead', importKey, '--config', config.file)).stdout
  }

  beforeAll(async () => {
    pool = postgresPool()
    await pool.query(usersSourceDDL(poisonKey))
    await pool.query(usersSourceDDL(checkedKey))
    const [k, n, name] = [source.key, source.n, source.name].map(escapeIdentifier)
    await pool.query(
      `CREATE TABLE ${escapeIdentifier(oddSource)} (${k} text, ${n} int, ${name} text NOT NULL, PRIMARY KEY (${k}, ${n}))`,
    )
    await pool.query(`CREATE TABLE ${canary} (id int)`)
    await createTables(ch, database, [poison, checked, odd])
    await ch.client.command({
      query: `ALTER TABLE ${qualifiedTable(database, 'checked')} ADD CONSTRAINT score_below_1000 CHECK score < 1000`,
    })
    await ch.client.command({ query: `CREATE TABLE ${qualifiedTable(database, canary)} (id Int32) ENGINE = Memory` })
    harness = new SyncHarness(ch, { default: database }, [poison, checked, odd])
    await harness.start()
  })

  afterAll(async () => {
    await harness?.stop()
    for (const table of [poisonKey, checkedKey, oddSource, canary])
      await pool?.query(`DROP TABLE IF EXISTS ${escapeIdentifier(table)}`)
    await pool?.end()
    await ch.client.command({ query: `DROP DATABASE IF EXISTS ${quoteIdentifier(database)}` })
    await ch.client.close()
  })

  faultScenario(
    {
      group,
      scenario: 'Values that do not fit their ClickHouse column are parked; the rest of the batch syncs',
      injected: 'scores 300-500 into a UInt8 column in a 10-row batch; source fixed, dead letters re-queued',
    },
    async () => {
      const handle = await harness.sync(poisonKey)
      await harness.change(
        pool,
        poisonKey,
        `INSERT INTO "${poisonKey}" SELECT g, 'u' || g, g * 50 FROM generate_series(1, 10) g`,
        'insert',
      )
      expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })

      const storage = harness.storage(poisonKey)
      const parked = await storage.deadLetters(poisonKey)
      expect(parked.map((letter) => letter.operation.key).sort()).toEqual(['10', '6', '7', '8', '9'])
      expect(parked[0]?.error).toMatch(/score/)
      const synced = await clickhouseRows(ch, database, 'poison', ['score'], 'replacing')
      expect([...synced.keys()].sort()).toEqual(['1', '2', '3', '4', '5'])
      expect((await handle.query(statusQuery)).lastBatch?.parked).toBe(5)

      await pool.query(`UPDATE "${poisonKey}" SET score = id WHERE score > 255`)
      expect(await retryDead(poisonKey)).toBe(`${poisonKey}: 5 operation(s) re-queued\n`)
      expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })
      return await verify(poisonKey, poisonKey, 'poison', ['name', 'score'])
    },
  )

  faultScenario(
    {
      group,
      scenario: 'A row ClickHouse itself rejects (a CHECK constraint) is parked; the rest of the batch syncs',
      injected: 'one score of 5000 against CONSTRAINT CHECK score < 1000 in a 10-row chunk; bisected, fixed, re-queued',
    },
    async () => {
      const handle = await harness.sync(checkedKey)
      await harness.change(
        pool,
        checkedKey,
        `INSERT INTO "${checkedKey}" SELECT g, 'u' || g, CASE WHEN g = 7 THEN 5000 ELSE g END FROM generate_series(1, 10) g`,
        'insert',
      )
      expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })
      const storage = harness.storage(checkedKey)
      const parked = await storage.deadLetters(checkedKey)
      expect(parked.map((letter) => letter.operation.key)).toEqual(['7'])
      expect(parked[0]?.error).toMatch(/score_below_1000/)

      await pool.query(`UPDATE "${checkedKey}" SET score = 7 WHERE id = 7`)
      expect(await retryDead(checkedKey)).toBe(`${checkedKey}: 1 operation(s) re-queued\n`)
      expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })
      return await verify(checkedKey, checkedKey, 'checked', ['name', 'score'])
    },
  )

  faultScenario(
    {
      group,
      scenario: 'Odd keys and names, and SQL injection through them, sync as plain data',
      injected:
        "text + int keys with quotes, : . unicode, \\, 10 kB, '); DROP TABLE …; -- in keys, values, PostgreSQL " +
        'and ClickHouse table/column names; an update and a delete via triggers',
    },
    async () => {
      const handle = await harness.sync(oddKey)
      const storage = harness.storage(oddKey)
      const table = escapeIdentifier(oddSource)
      const [k, n, name] = [source.key, source.n, source.name].map(escapeIdentifier)
      const written = keys.flatMap((key, i) => [1, 2].map((part) => [key, part, injections[i % injections.length]]))
      for (const [key, part, value] of written) {
        await pool.query(`INSERT INTO ${table} (${k}, ${n}, ${name}) VALUES ($1, $2, $3)`, [key, part, value])
      }
      await storage.registerOperations(
        oddKey,
        'insert',
        written.map(([key, part]) => encodeKey([key as string, part as number])),
      )
      expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })

      // Then an update and a delete of keys that try injection, captured by triggers this time (their
      // SQL quotes the odd names too); the tombstone locates the deleted row by its key.
      const capture = {
        importKey: oddKey,
        source: { schema: 'public', table: oddSource, primaryKey: [source.key, source.n] },
      }
      await installCapture(pool, capture)
      try {
        await pool.query(`UPDATE ${table} SET ${name} = $2 WHERE ${k} = $1`, [injections[0], `it's \\ updated`])
        await pool.query(`DELETE FROM ${table} WHERE ${k} = $1 AND ${n} = 2`, [injections[1]])
        expect(await harness.flush(handle)).toEqual({ synced: true, backlog: 0 })
      } finally {
        await removeCapture(pool, capture)
      }

      // The canaries every injection tries to drop are still there, on both sides.
      expect((await pool.query<{ t: string }>(`SELECT to_regclass($1)::text AS t`, [canary])).rows[0]?.t).toBe(canary)
      const tables = await ch.client.query({
        query: `SELECT name FROM system.tables WHERE database = '${database}' AND name = '${canary}'`,
        format: 'JSONEachRow',
      })
      expect(await tables.json()).toEqual([{ name: canary }])
      const verdict = await verify(oddKey, oddSource, odd.table, ['na`me\\'], naming)
      expect(verdict.expectedRows).toBe(written.length - 1)
      return verdict
    },
  )
})
