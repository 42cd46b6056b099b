import pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import { qualifiedTable } from '../../src/clickhouse/sql.js'
import { requireEnv } from './env.js'
import type { BenchTarget } from './target.js'

export function openPool(max = 10): pg.Pool {
  return new pg.Pool({ connectionString: requireEnv('CHSYNC_POSTGRES_URL'), max })
}

/** A narrow order-like row: the shape of the sync-throughput benchmark. */
export async function createOrdersTable(pool: pg.Pool, table: string, rows: number): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.query(`CREATE TABLE ${table} (
    id bigint PRIMARY KEY, customer text NOT NULL, status text NOT NULL,
    amount double precision NOT NULL, updated_at timestamptz NOT NULL)`)
  if (rows > 0) await fillOrders(pool, table, 1, rows)
}

export async function fillOrders(pool: pg.Pool, table: string, from: number, to: number): Promise<void> {
  await pool.query(
    `INSERT INTO ${table} SELECT g, 'customer ' || (g % 5000), (ARRAY['new','paid','shipped'])[1 + g % 3],
       round((g % 100000) / 100.0, 2), timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
     FROM generate_series($1::bigint, $2::bigint) g`,
    [from, to],
  )
}

/** The orders table as ClickHouse TabSeparated (the model's columns, version 1). */
export function ordersCopySql(table: string): string {
  return `COPY (SELECT id, customer, status, amount,
    to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), 1 FROM ${table}) TO STDOUT`
}

/** Embeddings as PostgreSQL `real[]`. */
export async function createVectorsTable(pool: pg.Pool, table: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS ${table}`)
  await pool.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, embedding real[] NOT NULL)`)
}

/** `count` rows of `dims` random floats, ids from `from`, filled server-side. */
export async function fillVectors(pool: pg.Pool, table: string, from: number, count: number, dims: number) {
  await pool.query(
    `INSERT INTO ${table} SELECT g, (SELECT array_agg(random()::real) FROM generate_series(1, $3::int) d WHERE g > 0)
     FROM generate_series($1::bigint, $2::bigint) g`,
    [from, from + count - 1, dims],
  )
}

export function vectorsCopySql(table: string): string {
  return `COPY (SELECT id, translate(embedding::text, '{}', '[]'), 1 FROM ${table}) TO STDOUT`
}

/** The keys of a source table as chsync encodes them (`id::text`), in id order. */
export async function sourceKeys(pool: pg.Pool, table: string): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>(`SELECT id::text AS id FROM ${table} ORDER BY id`)
  return rows.map((row) => row.id)
}

/**
 * The direct-copy baseline: PostgreSQL `COPY … TO STDOUT` streamed into ONE ClickHouse insert
 * (TabSeparated), in one process — no storage, no Temporal, no serialization in JS. Into chDB it
 * takes the engine's zero-copy insert, as chsync does (the client's path builds one SQL string).
 */
export async function directCopy(pool: pg.Pool, copySql: string, target: BenchTarget, table: string): Promise<void> {
  const client = await pool.connect()
  try {
    const source = client.query(copyTo(copySql))
    if (target.db.rawInsert) {
      const chunks: Buffer[] = []
      for await (const chunk of source) chunks.push(chunk as Buffer)
      await target.db.rawInsert({
        table: `${target.db.database}.${table}`,
        values: Buffer.concat(chunks),
        format: 'TabSeparated',
      })
      return
    }
    const result = await target.db.client.exec({
      query: `INSERT INTO ${qualifiedTable(target.db.database, table)} FORMAT TabSeparated`,
      values: source,
    })
    // Read the (empty) response to its end: an unread one keeps the socket from the pool.
    for await (const _ of result.stream) void _
  } finally {
    client.release()
  }
}
