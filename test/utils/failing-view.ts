import { qualifiedTable, type ClickHouseDatabase } from '../../src/clickhouse/index.js'

/**
 * A materialized view on a users table (`id, name, score, version`) into its own ReplacingMergeTree
 * copy, whose query throws (`throwIf`) for the marker row named 'boom' until it is recreated fixed —
 * the SRS028 "emulated failure" of a dependent table. The copy keeps what reached it across the
 * swap, and deduplicates retried blocks like its source (`non_replicated_deduplication_window`).
 */
export class FailingView {
  /** The table the view writes into (compared with the source like the target). */
  readonly name: string
  private readonly view: string

  /** What the failing insert's error says. */
  readonly failure: RegExp

  /**
   * `oldServer`: ClickHouse 18.x, whose throwIf takes no message and whose tables have no
   * deduplication window (non-replicated tables deduplicate nothing there).
   */
  constructor(
    private readonly ch: ClickHouseDatabase,
    private readonly database: string,
    private readonly source: string,
    private readonly options: { oldServer?: boolean } = {},
  ) {
    this.name = `${source}_view_copy`
    this.view = `${source}_view`
    this.failure = options.oldServer ? /throwIf/ : /the view rejects the marker row/
  }

  /** Creates the copy once, and (re)creates the view, failing for the marker row or not. */
  async create({ failing }: { failing: boolean }): Promise<void> {
    const copy = qualifiedTable(this.database, this.name)
    const view = qualifiedTable(this.database, this.view)
    await this.ch.client.command({
      query: `CREATE TABLE IF NOT EXISTS ${copy} (id UInt64, name String, score Int32, version UInt64)
              ENGINE = ReplacingMergeTree(version) ORDER BY id
              ${this.options.oldServer ? '' : 'SETTINGS non_replicated_deduplication_window = 1000'}`,
    })
    // DROP TABLE drops a view on every version (18.x has no DROP VIEW).
    await this.ch.client.command({ query: `DROP TABLE IF EXISTS ${view}` })
    const message = this.options.oldServer ? '' : `, 'the view rejects the marker row'`
    const filter = failing ? `WHERE throwIf(name = 'boom'${message}) = 0` : ''
    await this.ch.client.command({
      query: `CREATE MATERIALIZED VIEW ${view} TO ${copy} AS
              SELECT id, name, score, version FROM ${qualifiedTable(this.database, this.source)} ${filter}`,
    })
  }
}

/** Raw rows of a table, before any merge: what a duplicate would show up in. */
export async function rawCount(ch: ClickHouseDatabase, database: string, table: string): Promise<number> {
  const result = await ch.client.query({
    query: `SELECT count() AS n FROM ${qualifiedTable(database, table)}`,
    format: 'JSONEachRow',
  })
  return Number((await result.json<{ n: string }>())[0]?.n)
}

/** The `name` of source row `g` in a generate_series insert: 'boom' (the marker) for row `marker`, else 'u<g>'. */
export function markerName(marker: number): string {
  return `CASE WHEN g = ${marker} THEN 'boom' ELSE 'u' || g END`
}
