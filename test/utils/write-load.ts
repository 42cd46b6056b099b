import type pg from 'pg'
import type { OperationKind } from '../../src/storages/storage.js'

/** How a committed change gets registered: by the library API after COMMIT, or by nothing (capture triggers do it). */
export type Register = ((kind: OperationKind, keys: string[]) => Promise<unknown>) | null

/**
 * A steady write load on a `(id bigint primary key, name text, score int)` source table, the kind
 * of traffic the fault scenarios inject their faults under: every 50 ms one statement inserts
 * `perTick` rows, one updates 60 % of that many, one deletes 40 % (≈ 1,000 changes/s at 25).
 * A statement that fails (PostgreSQL restarting) is retried after a pause, so every change that
 * committed is also registered: an application would retry the same way.
 */
export class WriteLoad {
  changes = 0
  failures = 0
  private next = 1
  private stopped = false
  private running: Promise<void> | null = null

  constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
    private readonly register: Register,
    private readonly perTick = 25,
  ) {}

  /** Starts writing in the background; `stop()` ends it and reports the changes made. */
  start(): this {
    this.stopped = false
    this.running = this.loop()
    return this
  }

  async stop(): Promise<number> {
    this.stopped = true
    await this.running
    return this.changes
  }

  /** Writes until `ms` passed (or stop()). */
  async runFor(ms: number): Promise<number> {
    this.start()
    await new Promise((resolve) => setTimeout(resolve, ms))
    return this.stop()
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const started = Date.now()
      await this.tick()
      await pause(Math.max(0, 50 - (Date.now() - started)))
    }
  }

  private async tick(): Promise<void> {
    const n = this.perTick
    const from = this.next
    // An upsert, so that retrying an insert whose COMMIT reply was lost still returns (and registers) its keys.
    await this.change(
      'insert',
      `INSERT INTO "${this.table}" SELECT g, 'user ' || g, 0 FROM generate_series($1::int, $2::int) g
       ON CONFLICT (id) DO UPDATE SET score = "${this.table}".score`,
      [from, from + n - 1],
    )
    this.next += n
    await this.change(
      'update',
      `UPDATE "${this.table}" SET score = score + 1, name = 'v' || (score + 1) WHERE id IN (SELECT id FROM "${this.table}" ORDER BY random() LIMIT $1)`,
      [Math.ceil(n * 0.6)],
    )
    await this.change(
      'delete',
      `DELETE FROM "${this.table}" WHERE id IN (SELECT id FROM "${this.table}" ORDER BY random() LIMIT $1)`,
      [Math.floor(n * 0.4)],
    )
  }

  /** One statement, retried until it commits; then its keys registered, retried until they are. */
  private async change(kind: OperationKind, sql: string, values: unknown[]): Promise<void> {
    const { rows } = await this.retry(() => this.pool.query<{ id: string }>(`${sql} RETURNING id::text AS id`, values))
    this.changes += rows.length
    const register = this.register
    if (register && rows.length > 0)
      await this.retry(() =>
        register(
          kind,
          rows.map((row) => row.id),
        ),
      )
  }

  private async retry<T>(attempt: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await attempt()
      } catch {
        this.failures += 1
        await pause(200)
      }
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
