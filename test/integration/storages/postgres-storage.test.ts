import { afterAll, describe, expect, it } from 'vitest'
import pg, { escapeIdentifier } from 'pg'
import { requireEnv } from '../../utils/services-env.js'
import { PostgresStorage } from '../../../src/storages/postgres/index.js'
import { postgresPool } from '../../utils/clients.js'
import { uniqueName } from '../../utils/names.js'
import { waitUntil } from '../../utils/wait-until.js'
import { describeStorageContract } from './storage-contract.js'

describeStorageContract('PostgresStorage', async () => {
  const pool = postgresPool()
  // A schema of its own: flush() and the cleanup only touch this run's outbox.
  const schema = uniqueName('chsync_test')
  const storage = new PostgresStorage(pool, { schema })
  await storage.ensureSchema()
  return {
    storage,
    connect: () => {
      const own = postgresPool()
      return { storage: new PostgresStorage(own, { schema }), close: () => own.end() }
    },
    expireLock: async (importKey) => {
      await pool.query(
        `UPDATE ${escapeIdentifier(schema)}.locks SET expires_at = clock_timestamp() - interval '1 second' WHERE import_key = $1`,
        [importKey],
      )
    },
    close: async () => {
      await pool.query(`DROP SCHEMA ${escapeIdentifier(schema)} CASCADE`)
      await pool.end()
    },
  }
})

describe('PostgresStorage', () => {
  const pool = postgresPool()
  const schema = uniqueName('chsync_test')
  const storage = new PostgresStorage(pool, { schema })
  const claimOptions = { owner: 'a', batchSize: 100, lockTtlMs: 30_000 }
  afterAll(async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)} CASCADE`)
    await pool.end()
  })

  it('installs its schema idempotently, even from concurrent callers', async () => {
    const others = [1, 2, 3].map(() => new PostgresStorage(pool, { schema }))
    await Promise.all([storage.ensureSchema(), ...others.map((other) => other.ensureSchema())])
    await new PostgresStorage(pool, { schema }).ensureSchema()
  })

  it('lets a role without CREATE rights register once the outbox is installed', async () => {
    await storage.ensureSchema()
    const role = uniqueName('app')
    const q = escapeIdentifier(schema)
    await pool.query(`CREATE ROLE ${escapeIdentifier(role)} NOLOGIN; GRANT USAGE ON SCHEMA ${q} TO ${escapeIdentifier(role)};
      GRANT SELECT, INSERT, UPDATE ON ${q}.operations TO ${escapeIdentifier(role)};
      GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${q} TO ${escapeIdentifier(role)}`)
    const appPool = new pg.Pool({
      connectionString: requireEnv('CHSYNC_POSTGRES_URL'),
      max: 1,
      options: `-c role=${role}`,
    })
    try {
      const app = new PostgresStorage(appPool, { schema })
      expect(await app.registerOperations(uniqueName('model'), 'insert', ['1'])).toBe(1)
    } finally {
      await appPool.end()
      await pool.query(`DROP OWNED BY ${escapeIdentifier(role)}; DROP ROLE ${escapeIdentifier(role)}`)
    }
  })

  it('catches its sequence up with the clock when it opens, so versions never fall behind Redis’', async () => {
    await storage.ensureSchema()
    await pool.query(`SELECT setval($1::regclass, 1000)`, [`${escapeIdentifier(schema)}.operation_seq`])
    const importKey = uniqueName('model')
    const reopened = new PostgresStorage(pool, { schema })
    const before = Date.now() * 1000
    await reopened.registerOperations(importKey, 'insert', ['1'])
    const batch = await reopened.preSync(importKey, claimOptions)
    if (!batch) throw new Error('expected a batch')
    const [operation] = await reopened.getOperations(batch)
    // Same machine, one clock: a few seconds of leeway only for scheduling.
    expect(operation?.seq).toBeGreaterThan(before - 5_000_000)
    await reopened.postSync(batch)
  })

  it('registers inside the caller’s transaction: nothing on rollback, everything on commit', async () => {
    const importKey = uniqueName('model')
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      await storage.registerOperations(importKey, 'insert', ['1', '2'], { client })
      await client.query('ROLLBACK')
      expect(await storage.operationsCount(importKey)).toBe(0)
      await client.query('BEGIN')
      await storage.registerOperations(importKey, 'insert', ['3'], { client })
      expect(await storage.operationsCount(importKey)).toBe(0)
      await client.query('COMMIT')
      expect(await storage.operationsCount(importKey)).toBe(1)
    } finally {
      client.release()
    }
  })

  it('keeps a claimed key that an open transaction registers again, however postSync and COMMIT interleave', async () => {
    const importKey = uniqueName('model')
    await storage.registerOperations(importKey, 'insert', ['k', 'other'])
    const batch = await storage.preSync(importKey, claimOptions)
    if (!batch) throw new Error('expected a batch')
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      await storage.registerOperations(importKey, 'update', ['k', 'new'], { client })
      const removal = storage.postSync(batch)
      await client.query('COMMIT')
      expect((await removal).removed).toBe(1)
    } finally {
      client.release()
    }
    const next = await storage.preSync(importKey, claimOptions)
    if (!next) throw new Error('expected a batch')
    expect((await storage.getOperations(next)).map(({ key, kind }) => [key, kind])).toEqual([
      ['k', 'update'],
      ['new', 'update'],
    ])
  })

  it('does not wait for, nor claim, a row an open transaction is registering', async () => {
    const importKey = uniqueName('model')
    await storage.registerOperations(importKey, 'insert', ['busy', 'free'])
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      await storage.registerOperations(importKey, 'update', ['busy'], { client })
      const batch = await storage.preSync(importKey, claimOptions)
      if (!batch) throw new Error('expected a batch')
      expect((await storage.getOperations(batch)).map(({ key }) => key)).toEqual(['free'])
      await client.query('COMMIT')
      await storage.postSync(batch)
    } finally {
      client.release()
    }
    expect(await storage.operationsCount(importKey)).toBe(1)
  })

  // Transaction A takes its sequence, then waits for B, which holds key k; B registers k again (a
  // higher sequence) and commits. Had A written the sequence it took before waiting, k's sequence
  // would go down: a claim between the two commits writes B's higher version to ClickHouse, and the
  // newer state A's round writes later under the lower version loses to it there.
  it.each([
    { name: 'a key B inserts', registered: false },
    { name: 'a key already waiting', registered: true },
  ])(
    'never lowers the sequence of $name when a registration waited for another transaction',
    async ({ registered }) => {
      const importKey = uniqueName('model')
      if (registered) await storage.registerOperations(importKey, 'insert', ['k'])
      const seqOf = async (client: pg.ClientBase | pg.Pool) => {
        const { rows } = await client.query<{ seq: string }>(
          `SELECT seq::text AS seq FROM ${escapeIdentifier(schema)}.operations WHERE import_key = $1 AND key = 'k'`,
          [importKey],
        )
        return BigInt(rows[0]?.seq ?? '0')
      }
      const [a, b] = [await pool.connect(), await pool.connect()]
      try {
        await b.query('BEGIN')
        await storage.registerOperations(importKey, 'update', ['k'], { client: b })
        await a.query('BEGIN')
        const { rows } = await a.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
        const aRegisters = storage.registerOperations(importKey, 'update', ['k'], { client: a })
        await waitUntil('A waiting for B’s lock on k', async () => {
          const activity = await pool.query<{ wait: string | null }>(
            'SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1',
            [rows[0]?.pid],
          )
          return activity.rows[0]?.wait === 'Lock'
        })
        await storage.registerOperations(importKey, 'update', ['k'], { client: b })
        const committedByB = await seqOf(b)
        await b.query('COMMIT')
        await aRegisters
        await a.query('COMMIT')
        expect(await seqOf(pool)).toBeGreaterThan(committedByB)
      } finally {
        a.release()
        b.release()
      }
    },
  )

  // Rows read from the outbox (table and index statistics of a one-connection pool's own schema) by a
  // round: a count over every waiting operation made it grow with the backlog, a drain ~N² / batch.
  it('reads as many outbox rows in a round with 60,000 operations waiting as with 30,000', async () => {
    const own = new pg.Pool({ connectionString: requireEnv('CHSYNC_POSTGRES_URL'), max: 1 })
    const ownSchema = uniqueName('chsync_test')
    const outbox = new PostgresStorage(own, { schema: ownSchema })
    const importKey = uniqueName('model')
    const rowsRead = async () => {
      await own.query('SELECT pg_stat_force_next_flush()')
      const { rows } = await own.query<{ n: string }>(
        `SELECT (SELECT coalesce(seq_tup_read, 0) FROM pg_stat_user_tables WHERE relid = $1::regclass)
              + (SELECT coalesce(sum(idx_tup_read), 0) FROM pg_stat_user_indexes WHERE relid = $1::regclass) AS n`,
        [`${escapeIdentifier(ownSchema)}.operations`],
      )
      return Number(rows[0]?.n)
    }
    /** One round's storage calls as the sync steps and the worker's metrics make them, in 1,000-operation batches. */
    const roundReads = async () => {
      const before = await rowsRead()
      const claim = await outbox.preSync(importKey, { ...claimOptions, batchSize: 1000 })
      if (!claim) throw new Error('expected a batch')
      await outbox.getOperations(claim)
      await outbox.postSync(claim)
      await outbox.backlogRange(importKey)
      await outbox.backlogRange(importKey)
      await outbox.backlog(importKey)
      return (await rowsRead()) - before
    }
    const register = async (from: number) => {
      const keys = Array.from({ length: 30_000 }, (_, i) => String(from + i))
      await outbox.registerOperations(importKey, 'insert', keys)
      // The statistics autovacuum keeps on a busy outbox: without them the planner guesses a few
      // hundred matching rows and reads them all through a bitmap, in the claim too.
      await own.query(`ANALYZE ${escapeIdentifier(ownSchema)}.operations`)
    }
    try {
      await register(0)
      const atHalf = await roundReads()
      await register(100_000)
      const atFull = await roundReads()
      // Counts over the whole backlog read each of the 30,000 added operations once per call, three
      // calls a round (~90,000 more rows); bounded, a round reads about the same (plans vary a little).
      expect(Math.abs(atFull - atHalf)).toBeLessThan(10_000)
    } finally {
      await own.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(ownSchema)} CASCADE`)
      await own.end()
    }
  })
})
