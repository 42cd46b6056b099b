import type pg from 'pg'
import type { OperationKind } from '../../src/storages/storage.js'

/**
 * `writers` concurrent writers on the same `keys` hot keys of a `(id, name, score)` table: each
 * picks a random key and inserts it (an upsert), updates it or deletes it, one statement per
 * change, and registers the key after COMMIT — so writers race on every key, and registrations
 * reach the storage in any order relative to the commits. A failed statement or registration is
 * retried, so every committed change is registered.
 */
export class HotKeysLoad {
  changes = 0
  private stopped = false

  constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
    private readonly register: (kind: OperationKind, keys: string[]) => Promise<unknown>,
    private readonly writers = 8,
    private readonly keys = 200,
  ) {}

  /** Writes until `ms` passed; returns the changes made. */
  async runFor(ms: number): Promise<number> {
    const until = Date.now() + ms
    await Promise.all(Array.from({ length: this.writers }, () => this.writer(until)))
    return this.changes
  }

  private async writer(until: number): Promise<void> {
    const t = `"${this.table}"`
    while (!this.stopped && Date.now() < until) {
      const id = 1 + Math.floor(Math.random() * this.keys)
      const roll = Math.random()
      const [kind, sql]: [OperationKind, string] =
        roll < 0.4
          ? ['insert', `INSERT INTO ${t} VALUES ($1, 'new', 0) ON CONFLICT (id) DO UPDATE SET name = 'again'`]
          : roll < 0.75
            ? ['update', `UPDATE ${t} SET score = score + 1, name = 'v' || (score + 1) WHERE id = $1`]
            : ['delete', `DELETE FROM ${t} WHERE id = $1`]
      const { rowCount } = await retry(() => this.pool.query(`${sql} RETURNING id`, [id]))
      if (!rowCount) continue
      this.changes += 1
      await retry(() => this.register(kind, [String(id)]))
    }
  }
}

async function retry<T>(attempt: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await attempt()
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}
