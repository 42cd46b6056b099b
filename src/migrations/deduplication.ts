import type { ClickHouseDatabase } from '../clickhouse/client.js'
import { qualifiedTable } from '../clickhouse/sql.js'
import { DEFAULT_DEDUPLICATION_WINDOW, REPLICATED_DEDUPLICATION_SECONDS } from '../models/ddl.js'
import { stringLiteral } from './live-table.js'

/**
 * `name = value` pairs of the SETTINGS clause of a `create_table_query` as system.tables prints it
 * (`… SETTINGS a = 1, b = 'x' [COMMENT '…']`). Input: the server's own rendering, so values are
 * numbers, identifiers or quoted strings; a setting name inside a quoted COMMENT could be misread, so
 * only the text after the last ` SETTINGS ` and before a trailing ` COMMENT ` is read.
 */
function tableSettings(createTableQuery: string): Map<string, string> {
  const at = createTableQuery.lastIndexOf(' SETTINGS ')
  const settings = new Map<string, string>()
  if (at < 0) return settings
  const clause = createTableQuery.slice(at + ' SETTINGS '.length).replace(/ COMMENT '.*$/s, '')
  for (const match of clause.matchAll(/(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|[^,\s]+)/g))
    settings.set(match[1] as string, match[2] as string)
  return settings
}

/**
 * Why the live table would not deduplicate a retried chunk, or undefined when it will: a
 * non-replicated MergeTree that chsync did not create has `non_replicated_deduplication_window = 0`
 * (its tokens are ignored), a replicated one may remember blocks for too short a time
 * (`replicated_deduplication_window_seconds`, 1 hour by default since ClickHouse 25.9) for a retry
 * after an outage (past a window, a retried chunk is not deduplicated: src/sync/landed.ts says which
 * tables chsync then checks and which absorb or double the replay). Undefined on a server without tokens (nothing to check there; the start-up log
 * names that limit) and for a table that does not exist (reported elsewhere).
 */
export async function deduplicationGap(db: ClickHouseDatabase, table: string): Promise<string | undefined> {
  // One query (the check runs for every model and alias at start): the token capability with the table.
  const [live] = await (
    await db.client.query({
      query:
        `SELECT engine, create_table_query, ` +
        `(SELECT count() FROM system.settings WHERE name = 'insert_deduplication_token') AS tokens ` +
        `FROM system.tables WHERE database = ${stringLiteral(db.database)} AND name = ${stringLiteral(table)}`,
      format: 'JSONEachRow',
    })
  ).json<{ engine: string; create_table_query: string; tokens: string | number }>()
  if (!live || Number(live.tokens) === 0 || !live.engine.endsWith('MergeTree')) return undefined
  const defaults = await (
    await db.client.query({
      query: `SELECT name, value FROM system.merge_tree_settings WHERE name LIKE '%deduplication_window%'`,
      format: 'JSONEachRow',
    })
  ).json<{ name: string; value: string }>()
  const own = tableSettings(live.create_table_query)
  const setting = (name: string) => Number(own.get(name) ?? defaults.find((row) => row.name === name)?.value ?? 0)
  const where = qualifiedTable(db.database, table)
  const fix = (name: string, value: number) => `ALTER TABLE ${where} MODIFY SETTING ${name} = ${value}`
  if (!/^(Replicated|Shared)/.test(live.engine)) {
    if (setting('non_replicated_deduplication_window') > 0) return undefined
    return (
      `table ${where} ignores insert deduplication tokens (non_replicated_deduplication_window = 0): a retried ` +
      `chunk can be written twice; run ${fix('non_replicated_deduplication_window', DEFAULT_DEDUPLICATION_WINDOW)}`
    )
  }
  if (setting('replicated_deduplication_window') === 0)
    return (
      `table ${where} ignores insert deduplication tokens (replicated_deduplication_window = 0): a retried chunk ` +
      `can be written twice; run ${fix('replicated_deduplication_window', DEFAULT_DEDUPLICATION_WINDOW)}`
    )
  const seconds = setting('replicated_deduplication_window_seconds')
  if (seconds >= REPLICATED_DEDUPLICATION_SECONDS) return undefined
  return (
    `table ${where} forgets insert deduplication tokens after ${seconds} s ` +
    `(replicated_deduplication_window_seconds): a chunk retried after a longer outage can be written twice; ` +
    `run ${fix('replicated_deduplication_window_seconds', REPLICATED_DEDUPLICATION_SECONDS)}`
  )
}
