import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg, { escapeIdentifier } from 'pg'
import { captureNames, installCapture, removeCapture } from '../../../src/capture/index.js'
import { ConfigError } from '../../../src/errors.js'
import { encodeKey } from '../../../src/source/keys.js'
import { PostgresStorage } from '../../../src/storages/postgres/index.js'
import { postgresPool } from '../../utils/clients.js'
import { requireEnv } from '../../utils/services-env.js'
import { uniqueName } from '../../utils/names.js'

describe('capture triggers', () => {
  const pool = postgresPool()
  const outboxSchema = uniqueName('chsync_test')
  const sourceSchema = uniqueName('source')
  const s = escapeIdentifier(sourceSchema)
  const storage = new PostgresStorage(pool, { schema: outboxSchema })
  /** A client of its own, sending plain multi-statement SQL as psql does (simple query protocol). */
  const psql = new pg.Client({ connectionString: requireEnv('CHSYNC_POSTGRES_URL') })

  /** The outbox content of a model as (key, kind) pairs, sorted by key. */
  async function captured(importKey: string): Promise<[string, string][]> {
    const { rows } = await pool.query<{ key: string; kind: string }>(
      `SELECT key, kind FROM ${escapeIdentifier(outboxSchema)}.operations WHERE import_key = $1 ORDER BY key`,
      [importKey],
    )
    return rows.map((row) => [row.key, row.kind])
  }

  async function table(name: string, ddl: string, primaryKey: string[]) {
    await pool.query(`CREATE TABLE ${s}.${escapeIdentifier(name)} (${ddl})`)
    const target = {
      importKey: uniqueName(name),
      source: { schema: sourceSchema, table: name, primaryKey },
      outboxSchema,
    }
    await installCapture(pool, target)
    return target
  }

  beforeAll(async () => {
    await pool.query(`CREATE SCHEMA ${s}`)
    await psql.connect()
  })
  afterAll(async () => {
    await psql.end()
    await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`)
    await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(outboxSchema)} CASCADE`)
    await pool.end()
  })

  it('captures multi-row inserts, updates and deletes made with raw SQL', async () => {
    const { importKey } = await table('users', 'id bigint PRIMARY KEY, name text', ['id'])
    await psql.query(`
      INSERT INTO ${s}.users SELECT i, 'u' || i FROM generate_series(1, 5) i;
      UPDATE ${s}.users SET name = 'changed' WHERE id IN (2, 3);
      DELETE FROM ${s}.users WHERE id = 5;
      UPDATE ${s}.users SET name = 'x' WHERE false;`)
    expect(await captured(importKey)).toEqual([
      ['1', 'insert'],
      ['2', 'update'],
      ['3', 'update'],
      ['4', 'insert'],
      ['5', 'delete'],
    ])
    const batch = await storage.preSync(importKey, { owner: 'test', batchSize: 10, lockTtlMs: 10_000 })
    expect(batch?.size).toBe(5)
  })

  it('turns a primary-key update into a delete of the old key and an insert of the new, even when keys shift', async () => {
    const { importKey } = await table('shifting', 'id int PRIMARY KEY DEFERRABLE, v text', ['id'])
    await psql.query(`INSERT INTO ${s}.shifting VALUES (1, 'a'), (2, 'b'), (3, 'c')`)
    await pool.query(`DELETE FROM ${escapeIdentifier(outboxSchema)}.operations WHERE import_key = $1`, [importKey])
    await psql.query(`UPDATE ${s}.shifting SET id = id + 1`)
    expect(await captured(importKey)).toEqual([
      ['1', 'delete'],
      ['2', 'update'],
      ['3', 'update'],
      ['4', 'insert'],
    ])
    await psql.query(`UPDATE ${s}.shifting SET id = 40 WHERE id = 4`)
    expect(await captured(importKey)).toContainEqual(['4', 'delete'])
    expect(await captured(importKey)).toContainEqual(['40', 'insert'])
  })

  it('captures rows deleted by a cascade', async () => {
    await pool.query(`CREATE TABLE ${s}.parents (id int PRIMARY KEY)`)
    const { importKey } = await table(
      'children',
      `id int PRIMARY KEY, parent int REFERENCES ${s}.parents ON DELETE CASCADE`,
      ['id'],
    )
    await psql.query(
      `INSERT INTO ${s}.parents VALUES (1), (2); INSERT INTO ${s}.children VALUES (10, 1), (11, 1), (20, 2)`,
    )
    await psql.query(`DELETE FROM ${s}.parents WHERE id = 1`)
    expect(await captured(importKey)).toEqual([
      ['10', 'delete'],
      ['11', 'delete'],
      ['20', 'insert'],
    ])
  })

  it('encodes composite keys with odd values exactly as encodeKey does', async () => {
    const { importKey } = await table('lines', '"order" text, "line no" int, PRIMARY KEY ("order", "line no")', [
      'order',
      'line no',
    ])
    const orders = ['a:b', 'c.d', `it's "q"`, 'back\\slash', 'ünï 日本']
    await pool.query(`INSERT INTO ${s}.lines SELECT o, 1 FROM unnest($1::text[]) o`, [orders])
    const keys = (await captured(importKey)).map(([key]) => key)
    expect(keys.sort()).toEqual(orders.map((order) => encodeKey([order, 1])).sort())
  })

  it('captures the writes of a role that has no rights on the outbox', async () => {
    const { importKey } = await table('guarded', 'id int PRIMARY KEY', ['id'])
    const role = escapeIdentifier(uniqueName('app'))
    await pool.query(`CREATE ROLE ${role} NOLOGIN; GRANT USAGE ON SCHEMA ${s} TO ${role};
      GRANT INSERT, UPDATE, DELETE, SELECT ON ${s}.guarded TO ${role}`)
    const client = await pool.connect()
    try {
      await client.query(`SET ROLE ${role}`)
      await client.query(`INSERT INTO ${s}.guarded VALUES (1), (2); DELETE FROM ${s}.guarded WHERE id = 2`)
    } finally {
      await client.query('RESET ROLE')
      client.release()
      await pool.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`)
    }
    expect(await captured(importKey)).toEqual([
      ['1', 'insert'],
      ['2', 'delete'],
    ])
  })

  it('never deadlocks app transactions against sync rounds on the same outbox rows', async () => {
    const { importKey } = await table('hot', 'id int PRIMARY KEY, n int', ['id'])
    await pool.query(`INSERT INTO ${s}.hot SELECT i, 0 FROM generate_series(1, 800) i`)
    const apps = [0, 1, 2, 3].map(() => new pg.Client({ connectionString: requireEnv('CHSYNC_POSTGRES_URL') }))
    await Promise.all(apps.map((app) => app.connect()))
    let writing = true
    try {
      const writes = apps.map(async (app, index) => {
        for (let round = 0; round < 25; round++) {
          // Each app owns 200 rows; each statement touches a random half, so outbox sequences (the
          // order a sync round meets rows in) and keys (the order statements lock them in) disagree.
          await app.query(`UPDATE ${s}.hot SET n = n + 1 WHERE id % 4 = $1 AND random() < 0.5`, [index])
        }
      })
      const sync = (async () => {
        while (writing || (await storage.operationsCount(importKey)) > 0) {
          const batch = await storage.preSync(importKey, { owner: 'sync', batchSize: 300, lockTtlMs: 30_000 })
          if (batch) await storage.postSync(batch)
        }
      })()
      await Promise.all(writes)
      writing = false
      await sync
    } finally {
      await Promise.all(apps.map((app) => app.end()))
    }
    expect(await storage.operationsCount(importKey)).toBe(0)
  })

  it('captures nothing from a rolled-back transaction', async () => {
    const { importKey } = await table('rolled', 'id int PRIMARY KEY', ['id'])
    await psql.query(`BEGIN; INSERT INTO ${s}.rolled VALUES (1); ROLLBACK;`)
    expect(await captured(importKey)).toEqual([])
  })

  it('installs idempotently and removes cleanly', async () => {
    const target = await table('again', 'id int PRIMARY KEY', ['id'])
    await installCapture(pool, target)
    const triggers = async () =>
      (
        await pool.query<{ name: string }>(
          `SELECT tgname AS name FROM pg_trigger WHERE tgrelid = to_regclass($1) AND NOT tgisinternal ORDER BY 1`,
          [`${s}.again`],
        )
      ).rows.map((row) => row.name)
    const names = captureNames(target.importKey)
    expect(await triggers()).toEqual(Object.values(names.triggers).sort())
    await psql.query(`INSERT INTO ${s}.again VALUES (1)`)
    expect(await captured(target.importKey)).toEqual([['1', 'insert']])
    await removeCapture(pool, target)
    await removeCapture(pool, target)
    expect(await triggers()).toEqual([])
    const fn = await pool.query(`SELECT FROM pg_proc WHERE proname = $1`, [names.function])
    expect(fn.rowCount).toBe(0)
    await psql.query(`INSERT INTO ${s}.again VALUES (2)`)
    expect(await captured(target.importKey)).toEqual([['1', 'insert']])
  })

  it.each([
    { name: 'a missing table', source: { table: 'nope', primaryKey: ['id'] } },
    { name: 'a missing key column', source: { table: 'users', primaryKey: ['uuid'] } },
  ])('refuses $name with a ConfigError', async ({ source }) => {
    const target = { importKey: uniqueName('bad'), source: { schema: sourceSchema, ...source }, outboxSchema }
    await expect(installCapture(pool, target)).rejects.toThrow(ConfigError)
  })
})
