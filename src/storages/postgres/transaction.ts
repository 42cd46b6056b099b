import type pg from 'pg'

/** Runs `work` in a transaction on a client of its own: COMMIT when it returns, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await work(client)
    await client.query('COMMIT')
    return result
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  } finally {
    client.release()
  }
}

/** PostgreSQL chose this statement as a deadlock victim; it did nothing and can simply run again. */
const DEADLOCK_DETECTED = '40P01'

/** Runs a self-contained statement, again if it lost a deadlock (at most five times). */
export async function retryDeadlock<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement()
    } catch (error) {
      if (attempt >= 5 || (error as { code?: string }).code !== DEADLOCK_DETECTED) throw error
    }
  }
}
